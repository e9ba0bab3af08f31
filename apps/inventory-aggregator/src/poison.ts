import type { AvroCodec, ReservationCommand } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import { beyondFoldHorizon, type DedupPolicy, eventProblem, type InventoryEvent } from '@inventory/domain';
import type { KafkaMessage } from 'kafkajs';

export type Decoded = { ok: true; event: InventoryEvent } | { ok: false; error: InventoryError };

/** The fold's clock and the dedup contract: events older than its horizon are not folded. */
export interface DecodeContext {
  now: number;
  dedup: DedupPolicy;
  /**
   * With several data centres: this one, and each known location's home. An event of a
   * location homed elsewhere would make a second writer of its state.
   */
  home?: { dataCentre: string; of: (locationId: string) => string | undefined };
}

/**
 * Decodes records; a record that can never be folded is poison: bytes that are not a frame
 * of a known schema, values no stock movement can have (@inventory/domain's rules), an
 * eventId outside its source's namespace, a key that is not the sku, an event older than
 * the dedup horizon (a repeat of it could not be recognised), or, with several data centres,
 * an event of a location whose home is another data centre (its state has one writer, the
 * home's aggregator; master data names the home, a location it does not know is folded). A registry that cannot be
 * reached is not poison: that error is retriable and is thrown, so the batch is retried.
 * Writer schemas are fetched once per batch, then decoding is synchronous.
 */
export async function decodeEvents(
  codec: AvroCodec,
  messages: KafkaMessage[],
  context: DecodeContext,
): Promise<Decoded[]> {
  await codec.preloadWriters(messages.map((m) => m.value));
  return messages.map((message) => decodeOne(codec, message, context));
}

function decodeOne(codec: AvroCodec, message: KafkaMessage, context: DecodeContext): Decoded {
  if (!message.value)
    return { ok: false, error: new InventoryError('EMPTY_VALUE', 'record has no value (tombstone)') };
  try {
    const event = codec.decodeSync(message.value, 'InventoryEvent');
    const problem = eventProblem(event);
    if (problem) return { ok: false, error: new InventoryError(problem.code, problem.message) };
    if (beyondFoldHorizon(event.occurredAt, context.now, context.dedup)) {
      return {
        ok: false,
        error: new InventoryError(
          'BEYOND_DEDUP_HORIZON',
          `occurredAt ${new Date(event.occurredAt).toISOString()} is older than the deduplication horizon plus grace (${(context.dedup.horizonMs + context.dedup.graceMs) / 3_600_000} h): it may have been counted already and a repeat could not be recognised`,
        ),
      };
    }
    if (message.key && message.key.toString() !== event.sku) {
      return {
        ok: false,
        error: new InventoryError('WRONG_KEY', `key ${message.key.toString()} is not the sku ${event.sku}`),
      };
    }
    const home = context.home?.of(event.locationId);
    if (context.home && home !== undefined && home !== context.home.dataCentre) {
      return {
        ok: false,
        error: new InventoryError(
          'FOREIGN_DATA_CENTRE',
          `location ${event.locationId} is homed in ${home} (master data), not in ${context.home.dataCentre}: its events go to ${home}, whose aggregator alone writes its state`,
        ),
      };
    }
    return { ok: true, event };
  } catch (error) {
    if (error instanceof InventoryError && !error.retriable) return { ok: false, error };
    throw error;
  }
}

export interface DeadLetterContext {
  topic: string;
  partition: number;
  groupId: string;
  now: () => number;
}

/** The original record, untouched, with why and where it came from in headers. */
export function deadLetter(message: KafkaMessage, error: InventoryError, context: DeadLetterContext) {
  return {
    key: message.key,
    value: message.value,
    headers: {
      'dlq-original-topic': context.topic,
      'dlq-original-partition': String(context.partition),
      'dlq-original-offset': message.offset,
      'dlq-error-code': error.code,
      'dlq-error-message': error.message,
      'dlq-consumer-group': context.groupId,
      'dlq-time': new Date(context.now()).toISOString(),
    },
  };
}

export type DecodedCommand = { ok: true; command: ReservationCommand } | { ok: false; error: InventoryError };

/** Reservation commands: a record that is not one, or a RESERVE of nothing, is poison. */
export async function decodeCommands(codec: AvroCodec, messages: KafkaMessage[]): Promise<DecodedCommand[]> {
  await codec.preloadWriters(messages.map((m) => m.value));
  return messages.map((message) => {
    if (!message.value) return { ok: false, error: new InventoryError('EMPTY_VALUE', 'record has no value') };
    try {
      const command = codec.decodeSync(message.value, 'ReservationCommand');
      if (command.type === 'RESERVE' && command.quantity <= 0)
        return {
          ok: false,
          error: new InventoryError('IMPOSSIBLE_VALUE', `quantity ${command.quantity} is not positive`),
        };
      return { ok: true, command };
    } catch (error) {
      if (error instanceof InventoryError && !error.retriable) return { ok: false, error };
      throw error;
    }
  });
}
