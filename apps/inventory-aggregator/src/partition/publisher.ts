import type { AvroCodec } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import { createProducer, requestsOf, sendBounded } from '@inventory/kafka';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import type { OutputValues } from '../steps/changes.ts';

export interface OutputTopics {
  stock: string;
  availability: string;
  reservations: string;
  outcomes: string;
  events: string;
}

/** Where the partition's inputs stand after the step whose values a record carries. */
export interface Progress {
  events: number;
  commands: number | undefined;
  clock: number;
}

/**
 * Headers every compacted record carries: the partition's progress after the step it came
 * from. A restore resumes where the newest published step left off (restore.ts), so Redis
 * and Kafka agree on what the restored state reflects.
 */
export const progressHeaders = {
  events: 'inventory-next-event-offset',
  commands: 'inventory-next-command-offset',
  clock: 'inventory-clock',
} as const;

export function headersOf(progress: Progress): Record<string, string> {
  const headers: Record<string, string> = {
    [progressHeaders.events]: String(progress.events),
    [progressHeaders.clock]: String(progress.clock),
  };
  if (progress.commands !== undefined) headers[progressHeaders.commands] = String(progress.commands);
  return headers;
}

const fencedTypes = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);

/** True when Kafka refused the producer because a newer one took its transactional id. */
export function isFenced(error: unknown): boolean {
  for (let e = error; e; e = (e as { cause?: unknown }).cause) {
    if (fencedTypes.has((e as { type?: string }).type ?? '')) return true;
    if (e instanceof InventoryError && e.code === 'PRODUCER_FENCED') return true;
  }
  return false;
}

/**
 * Publishes one partition's outputs. The compacted topics (stock, availability,
 * reservations) are written in a transaction of the partition's own transactional id: a new
 * owner initialising it aborts whatever an earlier owner still has open, and that owner's
 * later writes are refused, so a frozen instance cannot append older values after newer ones
 * (compaction keeps the last record of a key). Records go to the sku's partition, the one
 * a restore of this partition reads. Outcomes and reservation sales are written plain (at
 * least once): the API matches outcomes to requests, and a sale repeated is a duplicate
 * eventId the fold drops.
 */
export class PartitionPublisher {
  private producer: Producer | undefined;

  constructor(
    private readonly deps: {
      kafka: Kafka;
      transactionalId: string;
      codec: AvroCodec;
      topics: OutputTopics;
      /** The instance's idempotent producer for the plain topics. */
      plain: Producer;
      transactionTimeoutMs: number;
      /** Largest produce request (request-size.ts): below the brokers' and topics' message size limit. */
      maxRequestBytes: number;
    },
    readonly partition: number,
  ) {}

  /**
   * Takes over the transactional id: any transaction an earlier owner left open is aborted,
   * and that owner is fenced. Called before the partition is read or written.
   */
  async open(): Promise<void> {
    if (this.producer) return;
    const producer = createProducer(this.deps.kafka, {
      transactionalId: this.deps.transactionalId,
      transactionTimeoutMs: this.deps.transactionTimeoutMs,
    });
    await producer.connect();
    try {
      // The first transaction initialises the producer id and epoch; empty, it ends without a request.
      const init = await producer.transaction();
      await init.commit();
    } catch (error) {
      await producer.disconnect().catch(() => {});
      throw error;
    }
    this.producer = producer;
  }

  async publish(values: OutputValues, progress: Progress): Promise<void> {
    await this.open();
    const { codec, topics } = this.deps;
    const headers = headersOf(progress);
    const partition = this.partition;
    const [stock, availability, reservations, outcomes, sales] = await Promise.all([
      codec.encodeAll(`${topics.stock}-value`, 'StockLevel', values.stock),
      codec.encodeAll(`${topics.availability}-value`, 'SkuAvailability', values.availability),
      codec.encodeAll(`${topics.reservations}-value`, 'Reservation', values.reservations),
      codec.encodeAll(`${topics.outcomes}-value`, 'ReservationOutcome', values.outcomes),
      codec.encodeAll(`${topics.events}-value`, 'InventoryEvent', values.sales),
    ]);
    const record = (key: string, value: Buffer | undefined): Message => ({
      key,
      value: value as Buffer,
      partition,
      headers,
    });
    const compacted: TopicMessages[] = [
      {
        topic: topics.stock,
        messages: values.stock.map((s, i) => record(`${s.locationId}|${s.sku}`, stock[i])),
      },
      {
        topic: topics.availability,
        messages: values.availability.map((a, i) => record(a.sku, availability[i])),
      },
      {
        topic: topics.reservations,
        messages: values.reservations.map((r, i) => record(r.reservationId, reservations[i])),
      },
    ].filter((t) => t.messages.length > 0);
    const plain: TopicMessages[] = [
      {
        topic: topics.outcomes,
        messages: values.outcomes.map((o, i) => ({ key: o.sku, value: outcomes[i] as Buffer })),
      },
      // Keyed by sku: the sale lands in this very partition of the events.
      {
        topic: topics.events,
        messages: values.sales.map((e, i) => ({ key: e.sku, value: sales[i] as Buffer })),
      },
    ].filter((t) => t.messages.length > 0);
    const { maxRequestBytes } = this.deps;
    await Promise.all([
      compacted.length > 0 ? this.transactional(requestsOf(compacted, maxRequestBytes)) : undefined,
      sendBounded(this.deps.plain, plain, maxRequestBytes),
    ]);
  }

  /** The requests in one transaction: all of them visible, or none. */
  private async transactional(requests: TopicMessages[][]): Promise<void> {
    const producer = this.producer as Producer;
    const transaction = await producer.transaction();
    try {
      for (const topicMessages of requests) await transaction.sendBatch({ acks: -1, topicMessages });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {});
      throw error;
    }
  }

  /** Drops the producer (after a failure it may be unusable); the next publish starts a new one. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => {});
  }
}
