import type { AvroCodec } from '@inventory/codec';
import type { Logger } from '@inventory/core';
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { AggregatorConfig } from './config.ts';
import {
  changeKey,
  type FoldOptions,
  fold,
  type LocationState,
  type SequencedEvent,
  type SkuState,
} from './fold/fold.ts';
import type { AggregatorMetrics } from './metrics.ts';
import { changedOutputs, fullOutputs, hashesOf } from './outputs.ts';
import { type Decoded, deadLetter, decodeEvents } from './poison.ts';
import { rebuildPartitions } from './rebuild.ts';
import { type CommandsContext, type CommandsOutbox, processCommands } from './reservations/commands.ts';
import { hashFields, type Outputs, type RedisStore } from './store/redis-store.ts';
import type { ReservationStore } from './store/reservation-store.ts';

export interface AggregatorDeps {
  config: AggregatorConfig;
  consumer: Consumer;
  producer: Producer;
  admin: Admin;
  store: RedisStore;
  reservations: ReservationStore;
  codec: AvroCodec;
  regionOf: (locationId: string) => string;
  metrics: AggregatorMetrics;
  logger: Logger;
  kafka: Kafka;
  now?: () => number;
}

/**
 * Folds inventory.events.v1 into state. Redis holds, per input partition, the state and the
 * next offset to apply, written together by one atomic script; Kafka's committed offsets
 * are only where fetching resumes. So a crash at any point replays from Redis' offset, a
 * partition taken over by another instance is fenced by that offset, and a Redis that lost
 * its data is rebuilt from the compacted topics before folding resumes.
 */
export class Aggregator {
  /** Next offsets to apply per partition, as this instance last read or wrote them. */
  private readonly next = new Map<number, { events: number; commands: number | undefined }>();
  /** Per partition: the batch in progress, so that events and commands of p never interleave. */
  private readonly inProgress = new Map<number, Promise<void>>();
  private readonly commands: CommandsContext;
  private ticker: NodeJS.Timeout | undefined;
  private readonly flushed = new Set<number>();
  private assigned: number[] = [];
  private rebuilding: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly foldOptions: FoldOptions;

  constructor(private readonly deps: AggregatorDeps) {
    this.now = deps.now ?? Date.now;
    this.foldOptions = {
      journal: {
        horizonMs: deps.config.COUNT_JOURNAL_HORIZON_MS,
        maxEntries: deps.config.COUNT_JOURNAL_MAX_ENTRIES,
      },
    };
    this.commands = {
      codec: deps.codec,
      reservations: deps.reservations,
      dlqTopic: deps.config.DLQ_TOPIC,
      groupId: deps.config.GROUP_ID,
      offsets: (p) => this.offsets(p),
      setOffsets: (p, offsets) => this.next.set(p, offsets),
      load: (p, skus) => deps.store.load(p, skus),
      hashes: (p, state, changed) => hashesOf(fullOutputs(p, state, changed, deps.regionOf), state),
      publish: (p, outbox, state, changed) =>
        this.publish(fullOutputs(p, state, changed, deps.regionOf), outbox),
      ackOutbox: (p, entry) => deps.store.ackOutbox(p, entry),
      deadLetters: async (messages) => {
        await deps.producer.send({ topic: deps.config.DLQ_TOPIC, acks: -1, messages });
        for (const _ of messages) deps.metrics.deadLettered.inc({ code: 'COMMAND' });
      },
      seek: (topic, partition, offset) => deps.consumer.seek({ topic, partition, offset: String(offset) }),
      fenced: (p, topic) => this.fenced(p, topic),
      now: this.now,
    };
  }

  /** Runs one batch of partition p after the one in progress, whichever topic each is from. */
  private serialized(partition: number, run: () => Promise<void>): Promise<void> {
    const previous = this.inProgress.get(partition) ?? Promise.resolve();
    const next = previous.then(run, run);
    this.inProgress.set(
      partition,
      next.catch(() => {}),
    );
    return next;
  }

  async start(): Promise<void> {
    const { consumer, config } = this.deps;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // A new generation: what this instance believed about offsets may be stale.
      this.assigned = event.payload.memberAssignment[config.INPUT_TOPIC] ?? [];
      this.next.clear();
      this.flushed.clear();
      this.deps.logger.info({ partitions: this.assigned }, 'partitions assigned');
    });
    await consumer.subscribe({ topics: [config.INPUT_TOPIC, config.COMMANDS_TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.PARTITIONS_CONCURRENTLY,
      eachBatch: (payload) =>
        this.serialized(payload.batch.partition, async () => {
          const { batch, isStale, isRunning } = payload;
          if (batch.messages.length === 0 || isStale() || !isRunning()) return;
          await this.flushOutbox(batch.partition);
          if (batch.topic === config.COMMANDS_TOPIC) await processCommands(this.commands, payload);
          else await this.processBatch(payload);
        }),
    });
    if (config.RESERVATION_TICK_MS > 0) {
      this.ticker = setInterval(() => void this.tick(), config.RESERVATION_TICK_MS);
    }
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  /**
   * Moves the reservation clock of every owned partition to now, so that reservations
   * expire on partitions without other commands. Best effort: a lost tick is replaced by the next.
   */
  private async tick(): Promise<void> {
    const { codec, config, producer } = this.deps;
    if (this.assigned.length === 0) return;
    const value = await codec.encode(`${config.COMMANDS_TOPIC}-value`, 'ReservationCommand', {
      type: 'TICK',
      reservationId: '',
      sku: '',
      locationId: null,
      quantity: 0,
      ttlMs: 0,
      issuedAt: this.now(),
      orderId: null,
      requestId: '',
    });
    await producer
      .send({
        topic: config.COMMANDS_TOPIC,
        messages: this.assigned.map((partition) => ({ partition, value })),
      })
      .catch((error) => this.deps.logger.warn({ err: String(error) }, 'reservation clock tick not sent'));
  }

  private async offsets(partition: number): Promise<{ events: number; commands: number | undefined }> {
    const cached = this.next.get(partition);
    if (cached) return cached;
    let stored = await this.deps.store.offsets(partition);
    if (stored.events === undefined) {
      await this.rebuildMissing(partition);
      stored = await this.deps.store.offsets(partition);
    }
    const offsets = { events: stored.events ?? 0, commands: stored.commands };
    this.next.set(partition, offsets);
    return offsets;
  }

  private async fenced(partition: number, topic: string): Promise<void> {
    this.deps.metrics.fenced.inc();
    this.next.delete(partition);
    const stored = await this.offsets(partition);
    const offset = topic === this.deps.config.COMMANDS_TOPIC ? stored.commands : stored.events;
    this.deps.logger.warn(
      { partition, topic, offset },
      'offsets moved under this instance; batch not written',
    );
    if (offset !== undefined) this.deps.consumer.seek({ topic, partition, offset: String(offset) });
  }

  /** Rebuilds, in one pass over the compacted topics, every assigned partition Redis lacks. */
  private async rebuildMissing(trigger: number): Promise<void> {
    // Single flight: batches of several partitions can find Redis empty at the same time,
    // and two restores racing could write an older rebuild over newer folding.
    if (!this.rebuilding) {
      this.rebuilding = (async () => {
        const candidates = [...new Set([trigger, ...this.assigned])];
        const missing: number[] = [];
        for (const p of candidates) if ((await this.deps.store.offset(p)) === undefined) missing.push(p);
        if (missing.length === 0) return;
        this.deps.metrics.rebuilds.inc(missing.length);
        this.deps.logger.warn({ partitions: missing }, 'rebuilding partitions from the compacted topics');
        await rebuildPartitions(this.deps, missing, this.now());
      })().finally(() => {
        this.rebuilding = undefined;
      });
    }
    await this.rebuilding;
    // A partition assigned after that rebuild started is still missing: rebuild it now.
    if ((await this.deps.store.offset(trigger)) === undefined) await this.rebuildMissing(trigger);
  }

  private async processBatch({
    batch,
    resolveOffset,
    heartbeat,
    isStale,
    isRunning,
  }: EachBatchPayload): Promise<void> {
    const { config, consumer, metrics, store } = this.deps;
    const partition = batch.partition;
    if (batch.messages.length === 0 || isStale() || !isRunning()) return;
    const started = process.hrtime.bigint();
    const offsets = await this.offsets(partition);
    const expected = offsets.events;
    const first = Number(batch.messages[0]?.offset);
    if (first > expected) {
      // Kafka resumes past what Redis holds (Redis lost writes): fetch again from Redis' offset.
      consumer.seek({ topic: batch.topic, partition, offset: String(expected) });
      return;
    }
    const fresh = batch.messages.filter((m) => Number(m.offset) >= expected);
    const last = batch.messages.at(-1);
    if (fresh.length === 0 || !last) {
      if (last) resolveOffset(last.offset);
      return;
    }

    const events: SequencedEvent[] = [];
    const poison = [];
    const decodedAll = await decodeEvents(this.deps.codec, fresh);
    for (const [i, message] of fresh.entries()) {
      const decoded = decodedAll[i] as Decoded;
      if (decoded.ok) events.push({ offset: Number(message.offset), event: decoded.event });
      else {
        poison.push(
          deadLetter(message, decoded.error, {
            topic: batch.topic,
            partition,
            groupId: config.GROUP_ID,
            now: this.now,
          }),
        );
        metrics.deadLettered.inc({ code: decoded.error.code });
      }
    }
    // Dead letters go out before the offset moves past them: a crash re-sends, never loses them.
    if (poison.length > 0)
      await this.deps.producer.send({ topic: config.DLQ_TOPIC, acks: -1, messages: poison });

    // Only the locations the events touch, and each sku's total, are read: a sku held at
    // hundreds of locations costs a batch what the batch changes, not its whole hash.
    const touched = new Map<string, Set<string>>();
    for (const { event } of events) {
      const locations = touched.get(event.sku) ?? new Set<string>();
      locations.add(event.locationId);
      touched.set(event.sku, locations);
    }
    const { state, totals } = await store.loadTouched(partition, touched);
    const before = new Map<string, LocationState | undefined>();
    for (const [sku, locations] of touched)
      for (const locationId of locations)
        before.set(changeKey(sku, locationId), state.get(sku)?.get(locationId));
    const seen = await store.seen(partition, [...new Set(events.map((e) => e.event.eventId))]);
    const result = fold(state, events, (id) => seen.has(id), this.foldOptions);
    const outputs = changedOutputs(partition, state, totals, before, result.changed, this.deps.regionOf);
    const nextOffset = Number(last.offset) + 1;
    // Each changed sku's hash gets its total and its changed locations only.
    const changedBySku = new Map<string, SkuState>();
    for (const level of outputs.stock) {
      const locations = changedBySku.get(level.sku) ?? new Map<string, LocationState>();
      locations.set(level.locationId, state.get(level.sku)?.get(level.locationId) as LocationState);
      changedBySku.set(level.sku, locations);
    }
    const hashes = new Map<string, Record<string, string>>();
    for (const total of outputs.availability) {
      hashes.set(total.sku, hashFields(changedBySku.get(total.sku) ?? new Map(), total));
    }
    // The outbox holds only the changed skus: enough to publish their current values again.
    const entry =
      outputs.availability.length > 0 ? JSON.stringify(outputs.availability.map((a) => a.sku)) : '';
    const committed = await store.commit(
      {
        partition,
        expectedOffset: expected,
        expectedCommandOffset: offsets.commands,
        nextOffset,
        hashes,
        eventIds: result.appliedEventIds,
      },
      entry,
    );
    if (!committed) {
      await this.fenced(partition, batch.topic);
      return;
    }
    this.next.set(partition, { events: nextOffset, commands: offsets.commands });
    if (entry) {
      await this.publish(outputs);
      await store.ackOutbox(partition, entry);
    }
    resolveOffset(last.offset);
    await heartbeat();
    metrics.applied.inc(result.appliedEventIds.length - result.late);
    metrics.late.inc(result.late);
    metrics.duplicates.inc(result.duplicates);
    metrics.unplacedCounts.inc(result.unplacedCounts);
    metrics.lag.set({ partition: String(partition) }, Math.max(0, Number(batch.highWatermark) - nextOffset));
    metrics.foldSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /**
   * Publishes absolute values to the compacted topics, and a commands step's outcomes and
   * sales, in one batch (acks=all, idempotent producer).
   */
  private async publish(outputs: Outputs, commands?: CommandsOutbox): Promise<void> {
    const { codec, config, producer } = this.deps;
    const [stock, availability, outcomes, sales] = await Promise.all([
      codec.encodeAll(`${config.STOCK_TOPIC}-value`, 'StockLevel', outputs.stock),
      codec.encodeAll(`${config.AVAILABILITY_TOPIC}-value`, 'SkuAvailability', outputs.availability),
      codec.encodeAll(`${config.OUTCOMES_TOPIC}-value`, 'ReservationOutcome', commands?.outcomes ?? []),
      codec.encodeAll(`${config.INPUT_TOPIC}-value`, 'InventoryEvent', commands?.sales ?? []),
    ]);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        {
          topic: config.STOCK_TOPIC,
          messages: outputs.stock.map((s, i) => ({
            key: `${s.locationId}|${s.sku}`,
            value: stock[i] as Buffer,
          })),
        },
        {
          topic: config.AVAILABILITY_TOPIC,
          messages: outputs.availability.map((a, i) => ({ key: a.sku, value: availability[i] as Buffer })),
        },
        {
          topic: config.OUTCOMES_TOPIC,
          messages: (commands?.outcomes ?? []).map((o, i) => ({ key: o.sku, value: outcomes[i] as Buffer })),
        },
        {
          // Keyed by sku, so the sale lands in this very partition of the events.
          topic: config.INPUT_TOPIC,
          messages: (commands?.sales ?? []).map((e, i) => ({ key: e.sku, value: sales[i] as Buffer })),
        },
      ].filter((t) => t.messages.length > 0),
    });
  }

  /**
   * Skus whose outputs a crashed predecessor committed to Redis but did not publish: their
   * current values (at least as new as the lost ones) are published before anything else.
   */
  private async flushOutbox(partition: number): Promise<void> {
    if (this.flushed.has(partition)) return;
    for (const entry of await this.deps.store.pendingOutbox(partition)) {
      // Events steps store a list of skus; commands steps also their outcomes and sales.
      const parsed = JSON.parse(entry) as string[] | CommandsOutbox;
      const skus = Array.isArray(parsed) ? parsed : parsed.skus;
      const state = await this.deps.store.load(partition, skus);
      const changed = new Set<string>();
      for (const [sku, locations] of state)
        for (const locationId of locations.keys()) changed.add(changeKey(sku, locationId));
      await this.publish(
        fullOutputs(partition, state, changed, this.deps.regionOf),
        Array.isArray(parsed) ? undefined : parsed,
      );
      await this.deps.store.ackOutbox(partition, entry);
    }
    this.flushed.add(partition);
  }
}
