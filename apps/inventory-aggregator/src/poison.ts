import { type AvroCodec, type InventoryEvent, quantityProblem } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import type { KafkaMessage } from 'kafkajs';

export type Decoded = { ok: true; event: InventoryEvent } | { ok: false; error: InventoryError };

const codePattern = /^[A-Za-z0-9._-]{1,64}$/;

/** What makes a decodable event impossible to fold; undefined when it can be folded. */
export function impossibility(event: InventoryEvent): string | undefined {
  if (!codePattern.test(event.sku)) return `sku ${JSON.stringify(event.sku)} is not a valid code`;
  if (!codePattern.test(event.locationId))
    return `locationId ${JSON.stringify(event.locationId)} is not a valid code`;
  if (event.eventId.length === 0 || event.eventId.length > 128) return 'eventId must have 1-128 characters';
  const quantity = quantityProblem(event.type, event.quantity);
  if (quantity) return `quantity ${event.quantity} ${quantity}`;
  if (event.occurredAt <= 0) return 'occurredAt is not a real time';
  return undefined;
}

/**
 * Decodes records; a record that can never be folded (bytes that are not a frame of a
 * known schema, values no stock movement can have, a key that is not the sku) is poison. A
 * registry that cannot be reached is not poison: that error is retriable and is thrown, so
 * the batch is retried. Writer schemas are fetched once per batch, then decoding is synchronous.
 */
export async function decodeEvents(codec: AvroCodec, messages: KafkaMessage[]): Promise<Decoded[]> {
  await codec.preloadWriters(messages.map((m) => m.value));
  return messages.map((message) => decodeOne(codec, message));
}

export async function decodeEvent(codec: AvroCodec, message: KafkaMessage): Promise<Decoded> {
  return (await decodeEvents(codec, [message]))[0] as Decoded;
}

function decodeOne(codec: AvroCodec, message: KafkaMessage): Decoded {
  if (!message.value)
    return { ok: false, error: new InventoryError('EMPTY_VALUE', 'record has no value (tombstone)') };
  try {
    const event = codec.decodeSync(message.value, 'InventoryEvent');
    const problem = impossibility(event);
    if (problem) return { ok: false, error: new InventoryError('IMPOSSIBLE_VALUE', problem) };
    if (message.key && message.key.toString() !== event.sku) {
      return {
        ok: false,
        error: new InventoryError('WRONG_KEY', `key ${message.key.toString()} is not the sku ${event.sku}`),
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
