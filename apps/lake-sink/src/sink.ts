import type { AvroCodec } from '@inventory/codec';
import { backoffDelay, delay, errorMessage, type Logger } from '@inventory/core';
import { boundedDeadLetter, sendBounded } from '@inventory/kafka';
import type { Admin, Consumer, EachBatchPayload, Message, Producer } from 'kafkajs';
import { type ChunkRules, isFull, type OpenChunk, place, windowOf, windowOver } from './chunks.ts';
import type { LakeConfig } from './config.ts';
import { bucketOfHour, fileKey, hourOf, leftoverKeys, partitionFilePrefix, writerPrefix } from './layout.ts';
import type { LakeMetrics } from './metrics.ts';
import { type DatasetKind, eventRow, type LakeRow, LakeRowRefused, rawRow } from './rows.ts';
import type { LakeStore } from './store.ts';
import { encodeParquet } from './writer.ts';

const writeBackoff = { initialMs: 200, maxMs: 10_000, factor: 2, retries: Number.POSITIVE_INFINITY };

interface PartitionState {
  topic: string;
  partition: number;
  kind: DatasetKind;
  chunk: (OpenChunk & { rows: LakeRow[] }) | undefined;
  /** The window of the last chunk completed (a new chunk never goes back before it). */
  lastWindow: number | undefined;
  /**
   * Next offset to take: a batch fetched again (after a rebalance, or retried by the consumer
   * after a failure) repeats records. Moves once a record is in the open chunk or in `dead`.
   */
  next: number | undefined;
  /** Dead letters not yet sent: kept until the send succeeds, sent before their chunk commits. */
  dead: Message[];
  highWatermark: number;
}

/**
 * Kafka -> Parquet, exactly once per record, without transactions and without fencing: each
 * partition's records are cut into chunks by rules that depend on the records alone
 * (chunks.ts), each chunk is written as files named by its offset range, each visible whole
 * or not at all (the store: a renamed temporary file, or a completed upload), and only then
 * is the offset after it committed. Any writer of the partition, a restarted one or a frozen
 * one that wakes up after its successor took over, writes the same chunk under the same name
 * with the same rows: a late or repeated write replaces a file, it never adds a second copy.
 * On (re)assignment, files at or after the resumed offset (left by a crash, or by other
 * settings) are removed, and what interrupted writes left (temporary files, unfinished
 * uploads) discarded, before writing again. The sink does not know where the files go.
 */
export class LakeSink {
  private readonly partitions = new Map<string, PartitionState>();
  /** Partitions whose leftover files were removed since they were assigned. */
  private readonly cleaned = new Set<string>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly rules: ChunkRules;
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly deps: {
      config: LakeConfig;
      consumer: Consumer;
      producer: Producer;
      admin: Admin;
      codec: AvroCodec;
      store: LakeStore;
      metrics: LakeMetrics;
      logger: Logger;
      now?: () => number;
    },
  ) {
    this.rules = {
      windowMs: deps.config.ROLL_MS,
      maxRecords: deps.config.ROLL_RECORDS,
      graceMs: deps.config.WINDOW_GRACE_MS,
    };
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  async start(): Promise<void> {
    const { consumer, config } = this.deps;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // A new assignment: what this instance held of partitions it may have lost is dropped
      // (their records come again from the committed offsets), and leftovers are checked again.
      this.generation++;
      this.partitions.clear();
      this.cleaned.clear();
    });
    await consumer.subscribe({ topics: [...config.EVENT_TOPICS, ...config.RAW_TOPICS], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (payload) =>
        this.serialized(`${payload.batch.topic}|${payload.batch.partition}`, () => this.take(payload)),
    });
    this.timer = setInterval(() => void this.completeEnded(), Math.min(1_000, config.ROLL_MS));
  }

  private serialized(key: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work, work);
    this.chains.set(
      key,
      next.catch(() => {}),
    );
    return next;
  }

  /**
   * Removes the files of a partition at or after `from` (written, never committed) and what
   * interrupted writes of it left: listed by the topic's prefix.
   */
  private async removeLeftovers(topic: string, partition: number, from: number): Promise<void> {
    const { store, logger } = this.deps;
    const prefix = writerPrefix(topic, this.deps.config.DATA_CENTRE);
    // Unfinished writes first: an upload in flight completing after the listing would be missed.
    for (const key of await store.discardUnfinished(prefix, partitionFilePrefix(topic, partition)))
      logger.warn({ key }, 'discarded what an interrupted write left');
    const keys = leftoverKeys(
      (await store.list(prefix)).map((o) => o.key),
      topic,
      partition,
      from,
    );
    await store.remove(keys);
    for (const key of keys)
      logger.warn({ key, from }, 'removed a file written but never committed; it is written again');
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const key = `${topic}|${partition}`;
    let state = this.partitions.get(key);
    if (!state) {
      const kind: DatasetKind = this.deps.config.EVENT_TOPICS.includes(topic) ? 'events' : 'raw';
      state = {
        topic,
        partition,
        kind,
        chunk: undefined,
        lastWindow: undefined,
        next: undefined,
        dead: [],
        highWatermark: 0,
      };
      this.partitions.set(key, state);
    }
    return state;
  }

  private async take({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { codec, metrics } = this.deps;
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const key = `${batch.topic}|${batch.partition}`;
    const state = this.stateOf(batch.topic, batch.partition);
    if (!this.cleaned.has(key)) {
      const from = Number(batch.messages[0]?.offset);
      await this.holding(state, heartbeat, () => this.removeLeftovers(batch.topic, batch.partition, from));
      this.cleaned.add(key);
    }
    if (state.kind === 'events') await codec.preloadWriters(batch.messages.map((m) => m.value));
    for (const message of batch.messages) {
      // Stopping, or the partition may be gone: the rest of the batch is left for the next
      // owner (nothing after the last commit counts), so a stop waits for one chunk at most.
      if (!isRunning() || isStale()) return;
      const offset = Number(message.offset);
      if (state.next !== undefined && offset < state.next) continue;
      const appendTime = Number(message.timestamp);
      const placement = place(state.chunk, appendTime, this.rules);
      if (placement.kind === 'start-new') {
        if (placement.closePrevious) {
          // Dead letters of the chunk go out before its offsets are committed.
          await this.sendDead(state);
          await this.completeHolding(state, heartbeat);
        }
        state.chunk = {
          window: Math.max(state.lastWindow ?? Number.NEGATIVE_INFINITY, windowOf(appendTime, this.rules)),
          first: offset,
          last: offset,
          records: 0,
          rows: [],
        };
      }
      const chunk = state.chunk as NonNullable<PartitionState['chunk']>;
      chunk.last = offset;
      chunk.records++;
      if (state.kind === 'raw') chunk.rows.push(rawRow(batch.topic, batch.partition, message));
      else {
        try {
          if (!message.value) throw new Error('record has no value');
          chunk.rows.push(
            eventRow(
              codec.decodeSync(message.value, 'InventoryEvent'),
              batch.topic,
              batch.partition,
              message,
            ),
          );
        } catch (error) {
          metrics.deadLetters.inc({ topic: batch.topic });
          state.dead.push(
            boundedDeadLetter({
              key: message.key,
              value: message.value,
              headers: {
                'dlq-reason': error instanceof LakeRowRefused ? error.reason : 'UNDECODABLE',
                'dlq-message': errorMessage(error),
                'dlq-original-topic': batch.topic,
                'dlq-original-partition': String(batch.partition),
                'dlq-original-offset': message.offset,
              },
            }),
          );
        }
      }
      state.next = offset + 1;
      if (isFull(chunk, this.rules)) {
        // Dead letters of the chunk go out before its offsets are committed.
        await this.sendDead(state);
        await this.completeHolding(state, heartbeat);
      }
    }
    state.highWatermark = Number(batch.highWatermark);
    await this.sendDead(state);
    await heartbeat();
  }

  /**
   * Sends the partition's dead letters. A failure leaves them queued: the batch fails, and a
   * consumer that hands it over again (its records already taken are skipped) sends them with
   * the next try; one that crashed for good stops the process (consumer-crash.ts).
   */
  private async sendDead(state: PartitionState): Promise<void> {
    if (state.dead.length === 0) return;
    const sending = state.dead.slice();
    await sendBounded(this.deps.producer, [{ topic: this.deps.config.DLQ_TOPIC, messages: sending }]);
    state.dead.splice(0, sending.length);
  }

  /**
   * Completes the chunks whose window has ended where the partition holds nothing after
   * them (asked of the broker, whose append times are what windows are made of).
   */
  private async completeEnded(): Promise<void> {
    const now = this.now();
    const ended = [...this.partitions.values()].filter(
      (s) => s.chunk && windowOver(s.chunk, now, this.rules),
    );
    if (ended.length === 0) return;
    try {
      const ends = new Map<string, number>();
      for (const topic of new Set(ended.map((s) => s.topic)))
        for (const o of await this.deps.admin.fetchTopicOffsets(topic))
          ends.set(`${topic}|${o.partition}`, Number(o.high));
      for (const state of ended) {
        const key = `${state.topic}|${state.partition}`;
        if (!state.chunk || ends.get(key) !== state.chunk.last + 1) continue;
        void this.serialized(key, async () => {
          // Still the same chunk, still nothing after it (a batch may have come in between).
          if (
            state.chunk &&
            windowOver(state.chunk, this.now(), this.rules) &&
            this.partitions.get(key) === state
          )
            await this.complete(state);
        }).catch((error) => {
          this.deps.metrics.writeFailures.inc({ topic: state.topic });
          this.deps.logger.error(
            { err: errorMessage(error), key },
            'writing a chunk failed; retried at the next tick',
          );
        });
      }
    } catch (error) {
      this.deps.logger.warn({ err: errorMessage(error) }, 'could not read the partitions ends; retried');
    }
  }

  /**
   * Work on the lake that fails (a full disk, a folder that cannot be made, the object store
   * away) is retried with backoff while the partition waits and the group is heartbeaten:
   * files already written are written again under the same names.
   */
  private async holding(
    state: PartitionState,
    heartbeat: () => Promise<void>,
    work: () => Promise<void>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await work();
        return;
      } catch (error) {
        this.deps.metrics.writeFailures.inc({ topic: state.topic });
        const wait = backoffDelay(writeBackoff, attempt);
        this.deps.logger.error(
          { err: errorMessage(error), topic: state.topic, partition: state.partition, waitMs: wait },
          'the lake could not be written; the partition waits and retries',
        );
        await delay(wait);
        await heartbeat();
      }
    }
  }

  private completeHolding(state: PartitionState, heartbeat: () => Promise<void>): Promise<void> {
    return this.holding(state, heartbeat, () => this.complete(state));
  }

  /** Writes the open chunk (a file per date/hour bucket, named by its offsets), then commits after it. */
  private async complete(state: PartitionState): Promise<void> {
    const chunk = state.chunk;
    if (!chunk) return;
    // Nothing is committed past a dead letter that is not sent (a chunk ended by the timer).
    await this.sendDead(state);
    const generation = this.generation;
    const { consumer, metrics, store } = this.deps;
    // Rows grouped by their hour first: a bucket's key is built once, not once per row.
    const byHour = new Map<number, LakeRow[]>();
    for (const row of chunk.rows) {
      const hour = hourOf(row.at);
      const rows = byHour.get(hour);
      if (rows) rows.push(row);
      else byHour.set(hour, [row]);
    }
    for (const [hour, rows] of byHour) {
      const key = fileKey(
        state.topic,
        this.deps.config.DATA_CENTRE,
        bucketOfHour(hour),
        state.partition,
        chunk.first,
        chunk.last,
      );
      const bytes = await store.write(key, (path) => encodeParquet(state.kind, rows, path));
      metrics.files.inc({ topic: state.topic });
      metrics.bytes.inc({ topic: state.topic }, bytes);
      metrics.rows.inc({ topic: state.topic }, rows.length);
    }
    state.chunk = undefined;
    state.lastWindow = chunk.window;
    // Lost the partition meanwhile: the new owner writes the same files and commits them.
    if (generation !== this.generation) return;
    await consumer.commitOffsets([
      { topic: state.topic, partition: state.partition, offset: String(chunk.last + 1) },
    ]);
    metrics.commitLag.set(
      { topic: state.topic, partition: String(state.partition) },
      Math.max(0, state.highWatermark - chunk.last - 1),
    );
  }

  /**
   * An orderly stop: nothing more is taken. Open chunks are not written: their end depends
   * on records still to come, and the next owner cuts them the same way from the committed
   * offset.
   */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.chains.values()]);
  }
}
