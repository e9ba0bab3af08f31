import { randomBytes } from 'node:crypto';
import type { AvroCodec, SchemaName, SchemaValues } from '@inventory/codec';
import { errorMessage, InventoryError } from '@inventory/core';
import { type CrashContext, failOnFatalCrash } from '@inventory/service';
import type { Consumer, Kafka } from 'kafkajs';

const YIELD_EVERY = 32;

/**
 * Every record written to a topic from now on, decoded, to in-process listeners. Each API
 * instance reads in a group of its own from the newest offset. For the availability topic,
 * which the aggregator publishes after each atomic Redis step, SSE subscribers get a
 * snapshot from Redis when they connect, then these changes; for the reservation outcomes,
 * waiting requests get their decision.
 */
export class TopicTail<N extends SchemaName> {
  /** Listeners of every record, and listeners of the records of some keys only. */
  private readonly listeners = new Set<(value: SchemaValues[N]) => void>();
  private readonly byKey = new Map<string, Set<(value: SchemaValues[N]) => void>>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: AvroCodec,
    private readonly topic: string,
    private readonly schema: N,
    private readonly context: CrashContext,
  ) {}

  async start(groupPrefix: string): Promise<void> {
    // A missing topic would leave the group waiting forever: fail start-up by its name.
    const check = this.kafka.admin();
    await check.connect();
    const exists = (await check.listTopics().finally(() => check.disconnect())).includes(this.topic);
    if (!exists)
      throw new InventoryError('TOPIC_MISSING', `topic ${this.topic} does not exist (provision the catalog)`);
    const consumer = this.kafka.consumer({
      groupId: `${groupPrefix}-tail-${randomBytes(6).toString('hex')}`,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    failOnFatalCrash(consumer, this.context, `tail of ${this.topic}`);
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    const joined = new Promise<number[]>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, (event) =>
        resolve(event.payload.memberAssignment[this.topic] ?? []),
      ),
    );
    await consumer.run({
      eachBatch: async ({ batch, heartbeat }) => {
        // Only records someone listens to are decoded: a busy network publishes every sku's
        // changes, a page watches a few.
        const wanted = batch.messages.filter(
          (m) => m.value && (this.listeners.size > 0 || (m.key && this.byKey.has(m.key.toString()))),
        );
        if (wanted.length === 0) return;
        await this.codec.preloadWriters(wanted.map((m) => m.value));
        let sinceYield = 0;
        for (const message of wanted) {
          this.deliver(message.key?.toString(), this.decode(message.value as Buffer));
          // Sockets are written in the event loop's I/O phase: yielding now and then lets a
          // reading client drain a large batch instead of seeing it pile up as backlog and
          // being cut off as stalled.
          if (++sinceYield === YIELD_EVERY) {
            sinceYield = 0;
            await new Promise((resolve) => setImmediate(resolve));
            await heartbeat();
          }
        }
      },
    });
    // Start exactly at the current end: everything before it is already in Redis (the
    // aggregator writes Redis before it publishes), which subscribers get as their snapshot.
    const partitions = await joined;
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(this.topic).finally(() => admin.disconnect());
    for (const end of ends) {
      if (partitions.includes(end.partition))
        consumer.seek({ topic: this.topic, partition: end.partition, offset: end.high });
    }
  }

  private decode(value: Buffer): SchemaValues[N] | undefined {
    try {
      return this.codec.decodeSync(value, this.schema);
    } catch (error) {
      this.context.logger.warn(
        { err: errorMessage(error), topic: this.topic },
        'record not decodable; skipped',
      );
      return undefined;
    }
  }

  private deliver(key: string | undefined, value: SchemaValues[N] | undefined): void {
    if (!value) return;
    for (const listener of this.listeners) listener(value);
    if (key !== undefined) for (const listener of this.byKey.get(key) ?? []) listener(value);
  }

  /** Every record from now on. */
  subscribe(listener: (value: SchemaValues[N]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The records of these keys from now on. */
  subscribeKeys(keys: Iterable<string>, listener: (value: SchemaValues[N]) => void): () => void {
    const list = [...new Set(keys)];
    for (const key of list) {
      let set = this.byKey.get(key);
      if (!set) {
        set = new Set();
        this.byKey.set(key, set);
      }
      set.add(listener);
    }
    return () => {
      for (const key of list) {
        const set = this.byKey.get(key);
        set?.delete(listener);
        if (set?.size === 0) this.byKey.delete(key);
      }
    };
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
