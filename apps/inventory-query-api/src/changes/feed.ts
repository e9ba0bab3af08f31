import { randomBytes } from 'node:crypto';
import type { AvroCodec, SkuAvailability } from '@inventory/codec';
import { errorMessage, type Logger } from '@inventory/core';
import type { Consumer, Kafka } from 'kafkajs';

const YIELD_EVERY = 32;

/**
 * Every change of the network-wide availability, from the compacted topic the aggregator
 * publishes after each atomic Redis step. Each API instance reads it in a group of its own
 * from the newest offset: subscribers get a snapshot from Redis when they connect, then
 * these changes.
 */
export class ChangeFeed {
  private readonly listeners = new Set<(change: SkuAvailability) => void>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly codec: AvroCodec,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  async start(groupPrefix: string): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `${groupPrefix}-changes-${randomBytes(6).toString('hex')}`,
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

  private async decode(value: Buffer): Promise<SkuAvailability | undefined> {
    try {
      return await this.codec.decode(value, 'SkuAvailability');
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'availability change not decodable; skipped');
      return undefined;
    }
  }

  private deliver(change: SkuAvailability | undefined): void {
    if (change) for (const listener of this.listeners) listener(change);
  }

  subscribe(listener: (change: SkuAvailability) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
