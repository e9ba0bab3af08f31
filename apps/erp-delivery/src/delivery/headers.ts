import { type ErrorCode, isoTime as iso } from '@inventory/core';
import type { IHeaders } from 'kafkajs';
import { type Destination, destinations } from './requests.ts';

/**
 * Where a delivery stands, carried in the headers of its retry and dead-letter records (the
 * value stays the original record's bytes, so nothing is re-encoded on the way):
 * the original position for tracing, the attempts made, the last error and when the next
 * attempt is due.
 */
export interface DeliveryState {
  destination: Destination;
  /** Attempts made so far (1 after the first failure). */
  attempts: number;
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  /** When the original record was written (ms), for the delivery latency. */
  originalTimestamp: number;
  firstFailedAt: number;
  lastFailedAt: number;
  lastErrorCode: string;
  lastError: string;
  lastStatus: number | undefined;
  /** Not before this time (ms); set on retry records. */
  dueAt: number | undefined;
}

/** Why a record was dead-lettered: refused for good, out of retries, or not a record at all. */
export type DeadLetterReason = Extract<ErrorCode, 'RECEIVER_REJECTED' | 'RETRIES_EXHAUSTED' | 'UNDECODABLE'>;

const prefix = 'delivery-';

export function stateHeaders(state: DeliveryState): Record<string, string> {
  const headers: Record<string, string> = {
    [`${prefix}destination`]: state.destination,
    [`${prefix}attempts`]: String(state.attempts),
    [`${prefix}original-topic`]: state.originalTopic,
    [`${prefix}original-partition`]: String(state.originalPartition),
    [`${prefix}original-offset`]: state.originalOffset,
    [`${prefix}original-timestamp`]: iso(state.originalTimestamp),
    [`${prefix}first-failed-at`]: iso(state.firstFailedAt),
    [`${prefix}last-failed-at`]: iso(state.lastFailedAt),
    [`${prefix}last-error-code`]: state.lastErrorCode,
    [`${prefix}last-error`]: state.lastError.slice(0, 1000),
  };
  if (state.lastStatus !== undefined) headers[`${prefix}last-status`] = String(state.lastStatus);
  if (state.dueAt !== undefined) headers[`${prefix}due-at`] = iso(state.dueAt);
  return headers;
}

export function deadLetterHeaders(
  state: DeliveryState,
  reason: DeadLetterReason,
  now: number,
): Record<string, string> {
  const { [`${prefix}due-at`]: _due, ...headers } = stateHeaders(state);
  // The dlq-* names match the platform's other dead-letter topics.
  return {
    ...headers,
    'dlq-reason': reason,
    'dlq-message': state.lastError.slice(0, 1000),
    'dlq-original-topic': state.originalTopic,
    'dlq-original-partition': String(state.originalPartition),
    'dlq-original-offset': state.originalOffset,
    'dlq-time': iso(now),
  };
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/** Reads a state back; undefined (with the missing header's name) when it is not one of ours. */
export function readState(headers: IHeaders | undefined): DeliveryState | { missing: string } {
  const text = (name: string) => headerText(headers, `${prefix}${name}`);
  const required = [
    'destination',
    'attempts',
    'original-topic',
    'original-partition',
    'original-offset',
    'original-timestamp',
    'last-error-code',
  ];
  for (const name of required) if (text(name) === undefined) return { missing: `${prefix}${name}` };
  const destination = text('destination') as Destination;
  if (!destinations.includes(destination)) return { missing: `${prefix}destination (unknown value)` };
  const time = (name: string) => {
    const value = text(name);
    return value === undefined ? undefined : Date.parse(value);
  };
  const status = text('last-status');
  return {
    destination,
    attempts: Number(text('attempts')),
    originalTopic: text('original-topic') as string,
    originalPartition: Number(text('original-partition')),
    originalOffset: text('original-offset') as string,
    originalTimestamp: time('original-timestamp') as number,
    firstFailedAt: time('first-failed-at') ?? 0,
    lastFailedAt: time('last-failed-at') ?? 0,
    lastErrorCode: text('last-error-code') as string,
    lastError: text('last-error') ?? '',
    lastStatus: status === undefined ? undefined : Number(status),
    dueAt: time('due-at'),
  };
}
