import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AvroCodec } from '@inventory/codec';
import { errorMessage, type Logger } from '@inventory/core';
import type { Consumer, EachBatchPayload, Message, Producer } from 'kafkajs';
import type { LakeConfig } from './config.ts';
import { bucketDir, bucketOf, fileName, leftoverFiles } from './layout.ts';
import type { LakeMetrics } from './metrics.ts';
import { type DatasetKind, eventRow, type LakeRow, rawRow } from './rows.ts';
import { writeParquet } from './writer.ts';

interface Buffer {
  topic: string;
  partition: number;
  kind: DatasetKind;
  rows: LakeRow[];
  /** Offsets covered (rows and dead letters alike); -1 when empty. */
  first: number;
  last: number;
  since: number;
  highWatermark: number;
}

/**
 * Kafka -> Parquet, exactly once per record. Each partition's records are buffered, then
 * written as files named by the buffer's offset range (tmp, fsync, rename), and only then is
 * the offset after them committed. A crash between the rename and the commit leaves files
 * beyond the committed offset: before a partition is consumed again, every file of it that
 * starts at or after the offset consumption resumes from is removed, and the records are
 * written again. So the lake holds each record once, whatever the crash point.
 */
export class LakeSink {
  private readonly buffers = new Map<string, Buffer>();
  /** Partitions whose leftover files were removed since they were assigned. */
  private readonly cleaned = new Set<string>();
  private readonly chains = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly deps: {
      config: LakeConfig;
      consumer: Consumer;
      producer: Producer;
      codec: AvroCodec;
      metrics: LakeMetrics;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async start(): Promise<void> {
    const { consumer, config } = this.deps;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // A new assignment: buffers of partitions this instance may have lost are dropped
      // (their records come again from the committed offsets), and leftovers are checked again.
      this.generation++;
      this.buffers.clear();
      this.cleaned.clear();
    });
    await consumer.subscribe({ topics: [...config.EVENT_TOPICS, ...config.RAW_TOPICS], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) =>
        this.serialized(`${payload.batch.topic}|${payload.batch.partition}`, () => this.take(payload)),
    });
    this.timer = setInterval(() => this.flushDue(), Math.min(1_000, config.ROLL_MS));
  }

  private serialized(key: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work, work);
    this.chains.set(
      key,
      next.catch(() => {}),
    );
    return next;
  }

  /** Removes the files of a partition at or after `from`: written, never committed. */
  private removeLeftovers(topic: string, partition: number, from: number): void {
    for (const file of leftoverFiles(this.deps.config.ROOT, topic, partition, from)) {
      rmSync(file, { force: true });
      this.deps.logger.warn(
        { file, from },
        'removed a file written but never committed; it is written again',
      );
    }
  }

  private async take({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { config, codec, metrics } = this.deps;
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const key = `${batch.topic}|${batch.partition}`;
    const firstOffset = Number(batch.messages[0]?.offset);
    if (!this.cleaned.has(key)) {
      this.removeLeftovers(batch.topic, batch.partition, firstOffset);
      this.cleaned.add(key);
    }
    const kind: DatasetKind = config.EVENT_TOPICS.includes(batch.topic) ? 'events' : 'raw';
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = {
        topic: batch.topic,
        partition: batch.partition,
        kind,
        rows: [],
        first: -1,
        last: -1,
        since: this.now(),
        highWatermark: 0,
      };
      this.buffers.set(key, buffer);
    }
    const now = this.now();
    if (kind === 'events') await codec.preloadWriters(batch.messages.map((m) => m.value));
    const dead: Message[] = [];
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (buffer.last >= offset) continue;
      if (buffer.first < 0) {
        buffer.first = offset;
        buffer.since = now;
      }
      buffer.last = offset;
      if (kind === 'raw') {
        buffer.rows.push(rawRow(batch.topic, batch.partition, message, now));
        continue;
      }
      try {
        if (!message.value) throw new Error('record has no value');
        buffer.rows.push(
          eventRow(
            codec.decodeSync(message.value, 'InventoryEvent'),
            batch.topic,
            batch.partition,
            message,
            now,
          ),
        );
      } catch (error) {
        metrics.deadLetters.inc({ topic: batch.topic });
        dead.push({
          key: message.key,
          value: message.value,
          headers: {
            'dlq-reason': 'undecodable',
            'dlq-message': errorMessage(error),
            'dlq-original-topic': batch.topic,
            'dlq-original-partition': String(batch.partition),
            'dlq-original-offset': message.offset,
          },
        });
      }
    }
    buffer.highWatermark = Number(batch.highWatermark);
    // Dead letters go out before their offsets can be committed with the next flush.
    if (dead.length > 0) await this.deps.producer.send({ topic: config.DLQ_TOPIC, acks: -1, messages: dead });
    if (buffer.last - buffer.first + 1 >= config.ROLL_RECORDS) await this.flush(key);
    await heartbeat();
  }

  private flushDue(): void {
    const due = this.now() - this.deps.config.ROLL_MS;
    for (const [key, buffer] of this.buffers) {
      if (buffer.first >= 0 && buffer.since <= due) {
        void this.serialized(key, () => this.flush(key)).catch((error) =>
          this.deps.logger.error(
            { err: errorMessage(error), key },
            'flush failed; the records are written again after a restart',
          ),
        );
      }
    }
  }

  private async flush(key: string): Promise<void> {
    const buffer = this.buffers.get(key);
    if (!buffer || buffer.first < 0) return;
    const generation = this.generation;
    const { config, consumer, metrics } = this.deps;
    const byBucket = new Map<string, LakeRow[]>();
    for (const row of buffer.rows) {
      const bucket = bucketOf(row.at);
      const dir = bucketDir(config.ROOT, buffer.topic, bucket);
      byBucket.set(dir, [...(byBucket.get(dir) ?? []), row]);
    }
    const name = fileName(buffer.topic, buffer.partition, buffer.first, buffer.last);
    for (const [dir, rows] of byBucket) {
      const bytes = await writeParquet(buffer.kind, rows, join(dir, name));
      metrics.files.inc({ topic: buffer.topic });
      metrics.bytes.inc({ topic: buffer.topic }, bytes);
      metrics.rows.inc({ topic: buffer.topic }, rows.length);
    }
    // Lost the partition meanwhile: the new owner removes these files and writes them again.
    if (generation !== this.generation) return;
    await consumer.commitOffsets([
      { topic: buffer.topic, partition: buffer.partition, offset: String(buffer.last + 1) },
    ]);
    metrics.commitLag.set(
      { topic: buffer.topic, partition: String(buffer.partition) },
      Math.max(0, buffer.highWatermark - buffer.last - 1),
    );
    this.buffers.delete(key);
  }

  /** Writes and commits everything buffered (an orderly stop). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const key of [...this.buffers.keys()]) await this.serialized(key, () => this.flush(key));
  }
}
