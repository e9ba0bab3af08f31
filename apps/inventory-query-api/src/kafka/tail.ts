import { randomBytes } from 'node:crypto';
import type { AvroCodec, SchemaName, SchemaValues } from '@inventory/codec';
import { errorMessage, InventoryError, type Logger } from '@inventory/core';
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
  private readonly listeners = new Set<(value: SchemaValues[N]) => void>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: AvroCodec,
    private readonly topic: string,
    private readonly schema: N,
    private readonly logger: Logger,
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
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    const joined = new Promise<number[]>((resolve) =>
      consumer.on(consumer.events.GROUP_JOIN, (event) =>
        resolve(event.payload.memberAssignment[this.topic] ?? []),
      ),
    );
    await consumer.run({
      eachBatch: async ({ batch, heartbeat }) => {
        let sinceYield = 0;
        for (const message of batch.messages) {
          if (message.value) this.deliver(await this.decode(message.value));
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

  private async decode(value: Buffer): Promise<SchemaValues[N] | undefined> {
    try {
      return await this.codec.decode(value, this.schema);
    } catch (error) {
      this.logger.warn({ err: errorMessage(error), topic: this.topic }, 'record not decodable; skipped');
      return undefined;
    }
  }

  private deliver(value: SchemaValues[N] | undefined): void {
    if (value) for (const listener of this.listeners) listener(value);
  }

  subscribe(listener: (value: SchemaValues[N]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
