import { readToEnd, sendBounded } from '@inventory/kafka';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { headerText, readState, stateHeaders } from './delivery/headers.ts';

export interface DeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  /** When it was dead-lettered (ms). */
  time: number;
  reason: string;
  destination: string;
  attempts: number;
  lastError: string;
  original: string;
  message: KafkaMessage;
}

export interface DeadLetterFilter {
  /** Dead-lettered at or after (ms). */
  from?: number;
  /** Dead-lettered before (ms). */
  to?: number;
  /** Exact record key (orderId, or sku|supplierId|periodStart). */
  key?: string;
}

function describe(message: KafkaMessage, partition: number): DeadLetter {
  const state = readState(message.headers);
  const dlqTime = headerText(message.headers, 'dlq-time');
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    time: dlqTime ? Date.parse(dlqTime) : Number(message.timestamp),
    reason: headerText(message.headers, 'dlq-reason') ?? 'unknown',
    destination: 'missing' in state ? '?' : state.destination,
    attempts: 'missing' in state ? 0 : state.attempts,
    lastError: headerText(message.headers, 'dlq-message') ?? '',
    original:
      'missing' in state ? '?' : `${state.originalTopic}/${state.originalPartition}@${state.originalOffset}`,
    message,
  };
}

const selected = (filter: DeadLetterFilter) => (d: DeadLetter) =>
  (filter.from === undefined || d.time >= filter.from) &&
  (filter.to === undefined || d.time < filter.to) &&
  (filter.key === undefined || d.key === filter.key);

/** Everything in the dead-letter topic up to its end when called, oldest first per partition. */
export async function listDeadLetters(kafka: Kafka, topic: string, filter: DeadLetterFilter = {}) {
  const all: DeadLetter[] = [];
  await readToEnd(kafka, topic, (message, partition) => void all.push(describe(message, partition)), {
    groupPrefix: 'erp-delivery-dlq-list',
  });
  return all.filter(selected(filter)).sort((a, b) => a.time - b.time);
}

/**
 * Moves the selected dead letters back for delivery: each goes to the first retry stage,
 * due at once, with its attempts reset, so it gets the whole retry schedule again. The
 * dead-letter topic keeps its copy (Kafka cannot delete one record); redriving the same
 * one twice is harmless because the receiver sees the same idempotency key.
 */
export async function redrive(
  kafka: Kafka,
  producer: Producer,
  topics: { deadLetter: string; firstRetry: string },
  filter: DeadLetterFilter,
  now: number = Date.now(),
): Promise<DeadLetter[]> {
  const letters = (await listDeadLetters(kafka, topics.deadLetter, filter)).filter(
    (d) => !('missing' in readState(d.message.headers)),
  );
  if (letters.length === 0) return [];
  // A redrive of many letters at once, in requests the retry topic takes.
  await sendBounded(producer, [
    {
      topic: topics.firstRetry,
      messages: letters.map((d) => {
        const state = readState(d.message.headers) as Exclude<
          ReturnType<typeof readState>,
          { missing: string }
        >;
        return {
          key: d.message.key,
          value: d.message.value,
          headers: {
            ...stateHeaders({ ...state, attempts: 0, dueAt: now }),
            'delivery-redriven-at': new Date(now).toISOString(),
            'delivery-redriven-from': `${topics.deadLetter}/${d.partition}@${d.offset}`,
          },
        };
      }),
    },
  ]);
  return letters;
}
