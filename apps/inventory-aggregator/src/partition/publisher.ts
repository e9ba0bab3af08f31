import type { AvroCodec } from '@inventory/codec';
import { InventoryError, withTimeout } from '@inventory/core';
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
 *
 * One operation at a time (open, publish, close): kafkajs allows one open transaction per
 * producer, and a second begun beside it fails ("There is already an ongoing transaction"),
 * as a close in the middle of one leaves its requests to a connection being torn down. A
 * publication that has not ended within `publishTimeoutMs` fails as retriable and its
 * producer is left behind, not awaited: the next one takes over the transactional id, which
 * aborts or fences whatever the old one still does. The producers retry without bound
 * (client.ts), so this deadline is what keeps a partition from waiting on Kafka forever.
 */
export class PartitionPublisher {
  private producer: Producer | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  /** Moves on when an operation is given up, so its late start does not become the producer. */
  private epoch = 0;

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
      /** Longest a publication (its producer's start included) may take before it is given up. */
      publishTimeoutMs: number;
      /** Longest a producer's disconnect is awaited (it waits for requests in flight). */
      closeTimeoutMs?: number;
    },
    readonly partition: number,
  ) {}

  /**
   * Takes over the transactional id: any transaction an earlier owner left open is aborted,
   * and that owner is fenced. Called before the partition is read or written.
   */
  open(): Promise<void> {
    return this.inLane(() =>
      withTimeout(
        this.opened().then(() => {}),
        this.deps.publishTimeoutMs,
        `opening the producer of partition ${this.partition}`,
      ),
    );
  }

  /** Publishes the values of one or more steps, with the progress after the last of them. */
  publish(values: OutputValues, progress: Progress): Promise<void> {
    return this.inLane(() =>
      withTimeout(
        this.opened().then((producer) => this.send(producer, values, progress)),
        this.deps.publishTimeoutMs,
        `publishing partition ${this.partition}`,
      ),
    );
  }

  /** Drops the producer (after a failure it may be unusable); the next publish starts a new one. */
  close(): Promise<void> {
    return this.inLane(async () => {
      const producer = this.producer;
      this.producer = undefined;
      if (producer) await this.disconnect(producer);
    });
  }

  /** Runs `operation` after the ones before it have ended; a timed-out one leaves its producer behind. */
  private inLane<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.lane.then(operation).catch((error: unknown) => {
      if (error instanceof InventoryError && error.code === 'TIMEOUT') this.abandon();
      throw error;
    });
    this.lane = run.catch(() => {});
    return run;
  }

  private abandon(): void {
    this.epoch++;
    const producer = this.producer;
    this.producer = undefined;
    if (producer) void this.disconnect(producer);
  }

  private async disconnect(producer: Producer): Promise<void> {
    await withTimeout(
      producer.disconnect(),
      this.deps.closeTimeoutMs ?? 5_000,
      'disconnecting a producer',
    ).catch(() => {});
  }

  private async opened(): Promise<Producer> {
    if (this.producer) return this.producer;
    const epoch = this.epoch;
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
    if (epoch !== this.epoch) {
      void this.disconnect(producer);
      throw new InventoryError(
        'TIMEOUT',
        `the producer of partition ${this.partition} started after it was given up`,
      );
    }
    this.producer = producer;
    return producer;
  }

  private async send(producer: Producer, values: OutputValues, progress: Progress): Promise<void> {
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
      compacted.length > 0 ? transactional(producer, requestsOf(compacted, maxRequestBytes)) : undefined,
      sendBounded(this.deps.plain, plain, maxRequestBytes),
    ]);
  }
}

/** The requests in one transaction: all of them visible, or none. */
async function transactional(producer: Producer, requests: TopicMessages[][]): Promise<void> {
  const transaction = await producer.transaction();
  try {
    for (const topicMessages of requests) await transaction.sendBatch({ acks: -1, topicMessages });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => {});
    throw error;
  }
}
