import type { AvroCodec, ReservationCommand } from '@inventory/codec';
import { backoffDelay, delay, errorMessage, type Logger } from '@inventory/core';
import { dedupDay, shardsForDay } from '@inventory/domain';
import { skuAvailability, stockLevelOf } from '@inventory/read-model';
import type { EachBatchPayload, KafkaMessage, Message } from 'kafkajs';
import type { AggregatorSettings } from '../config.ts';
import type { FoldOptions, SequencedEvent } from '../fold/fold.ts';
import type { AggregatorMetrics } from '../metrics.ts';
import { deadLetter, decodeCommands, decodeEvents } from '../poison.ts';
import type { Restorer } from '../restore/restore.ts';
import {
  type OutboxEntry,
  type OutputValues,
  outboxEntryOf,
  outputValues,
  parseOutboxEntry,
  type StepChanges,
} from '../steps/changes.ts';
import { commandsStep } from '../steps/commands-step.ts';
import { eventsStep } from '../steps/events-step.ts';
import { hashFields, type PartitionProgress, type RedisStore, type StepWrite } from '../store/redis-store.ts';
import type { PartitionPublisher, Progress } from './publisher.ts';

export interface RunnerDeps {
  partition: number;
  settings: AggregatorSettings;
  store: RedisStore;
  codec: AvroCodec;
  publisher: PartitionPublisher;
  restorer: Restorer;
  /** Sends dead letters (acks=all) before the offset moves past them. */
  deadLetters: (messages: Message[]) => Promise<void>;
  regionOf: (locationId: string) => string;
  seek: (topic: string, offset: number) => void;
  /** The first offset the topic still holds in this partition. */
  lowWatermark: (topic: string) => Promise<number>;
  /** Whether this instance owns the partition in the group's current, stable generation. */
  owns: () => Promise<boolean>;
  foldOptions: FoldOptions;
  metrics: AggregatorMetrics;
  logger: Logger;
  now: () => number;
}

type Heartbeat = () => Promise<void>;
const noHeartbeat: Heartbeat = async () => {};

/** Waits for `promise`, heartbeating the consumer group every second meanwhile. */
async function beating<T>(promise: Promise<T>, heartbeat: Heartbeat): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  watched.catch(() => {});
  while (!settled) {
    await Promise.race([watched.catch(() => {}), delay(1_000)]);
    if (!settled) await heartbeat();
  }
  return watched;
}

const publishBackoff = { initialMs: 200, maxMs: 10_000, factor: 2, retries: Number.POSITIVE_INFINITY };

/**
 * One input partition of the aggregator, for as long as this instance owns it in one group
 * generation. It owns the partition's progress (the offsets of its events and its
 * reservation commands, as Redis holds them), its transactional publisher and its outbox,
 * and runs the events step and the commands step one after the other, so that a decision
 * always sees every event folded before it. Each step is: decode (poison to the dead letters
 * first), read what it touches, a pure step function, one atomic Redis write that moves the
 * offset only if it is unchanged, then publication of the outputs; a failed publication
 * holds the partition until the outbox is published.
 */
export class PartitionRunner {
  private chain: Promise<unknown> = Promise.resolve();
  private progress: (PartitionProgress & { events: number }) | undefined;
  /** Per dedup day: its shard count (fixed once the day has fingerprints) and how many it holds. */
  private days = new Map<number, { shards: number; count: number }>();
  private outboxFlushed = false;
  private stopped = false;

  constructor(private readonly deps: RunnerDeps) {}

  get partition(): number {
    return this.deps.partition;
  }

  events(payload: EachBatchPayload): Promise<void> {
    return this.serial(payload.heartbeat, () => this.eventsBatch(payload));
  }

  commands(payload: EachBatchPayload): Promise<void> {
    return this.serial(payload.heartbeat, () => this.commandsBatch(payload));
  }

  /**
   * Brings the partition live without waiting for its next record: after assignment, and
   * whenever the watchdog finds that Redis lost it (restored then, also when idle).
   */
  check(): Promise<void> {
    return this.serial(noHeartbeat, async () => {
      const known = this.progress;
      if (known) {
        const stored = await this.deps.store.progress(this.partition);
        // Redis lost the partition, or went back in time (a restart that lost its last
        // writes): the steps after what it holds are folded again, from there.
        const behind =
          stored.events === undefined ||
          stored.events < known.events ||
          (stored.commands ?? -1) < (known.commands ?? -1);
        if (behind) {
          this.deps.logger.warn(
            { partition: this.partition, stored, known: { events: known.events, commands: known.commands } },
            'Redis holds less of the partition than this instance wrote; folding again from what it holds',
          );
          this.deps.metrics.rewinds.inc();
          this.progress = undefined;
          if (stored.events !== undefined) this.deps.seek(this.deps.settings.topics.input, stored.events);
          if (stored.commands !== undefined)
            this.deps.seek(this.deps.settings.topics.commands, stored.commands);
        }
      }
      await this.prepare(noHeartbeat);
    });
  }

  /** No new work; the step in progress ends, then the producer is closed. */
  stop(): Promise<void> {
    this.stopped = true;
    return this.chain.then(() => this.deps.publisher.close());
  }

  private serial(heartbeat: Heartbeat, work: () => Promise<void>): Promise<void> {
    const previous = this.chain;
    const run = previous.then(() => (this.stopped ? undefined : work()));
    this.chain = run.catch(() => {});
    return beating(previous, heartbeat).then(() => run);
  }

  private shardsOf = (day: number): number => {
    let known = this.days.get(day);
    if (!known) {
      known = {
        shards: shardsForDay(this.days.get(day - 1)?.count ?? 0, this.deps.store.dedup.shards),
        count: 0,
      };
      this.days.set(day, known);
    }
    return known.shards;
  };

  /** Fences earlier owners, loads (or restores) the progress, and publishes a pending outbox. */
  private async prepare(heartbeat: Heartbeat): Promise<void> {
    const { store, publisher, restorer, logger } = this.deps;
    if (!this.progress) {
      await beating(publisher.open(), heartbeat);
      let progress = await store.progress(this.partition);
      if (progress.events === undefined) {
        await beating(restorer.restore(this.partition), heartbeat);
        progress = await store.progress(this.partition);
      }
      if (progress.events === undefined) throw new Error(`partition ${this.partition} was not restored`);
      this.progress = { ...progress, events: progress.events };
      this.days = await store.seenDays(this.partition);
      this.outboxFlushed = false;
      logger.debug({ partition: this.partition, progress }, 'partition ready');
    }
    if (!this.outboxFlushed) await this.holdUntilPublished(heartbeat);
  }

  private currentProgress(): Progress {
    const progress = this.progress as PartitionProgress & { events: number };
    return { events: progress.events, commands: progress.commands, clock: progress.clock };
  }

  /**
   * Publishes what a step committed but did not publish (this instance's failed publication,
   * or a crashed predecessor's): the current values of the skus and reservations named, at
   * least as new as the lost ones, with the current progress; outcomes and sales as they
   * were. Then the entries are removed.
   */
  private async publishOutbox(): Promise<void> {
    const { store, publisher } = this.deps;
    const texts = await store.pendingOutbox(this.partition);
    if (texts.length === 0) return;
    const entries: OutboxEntry[] = texts.map(parseOutboxEntry);
    const skus = [...new Set(entries.flatMap((e) => e.skus))];
    const ids = [...new Set(entries.flatMap((e) => e.reservations))];
    const [{ state, totals }, reservations] = await Promise.all([
      store.loadSkus(this.partition, skus),
      store.loadReservations(this.partition, ids),
    ]);
    const values: OutputValues = {
      stock: [],
      availability: [],
      reservations: [...reservations.values()],
      outcomes: entries.flatMap((e) => e.outcomes),
      sales: entries.flatMap((e) => e.sales),
    };
    for (const sku of skus) {
      const locations = state.get(sku) ?? new Map();
      if (locations.size === 0) continue;
      for (const [locationId, location] of locations)
        values.stock.push(stockLevelOf(sku, locationId, location, this.partition));
      values.availability.push(totals.get(sku) ?? skuAvailability(sku, locations, this.deps.regionOf));
    }
    await publisher.publish(values, this.currentProgress());
    await store.ackOutbox(this.partition, texts);
    this.deps.metrics.outboxFlushed.inc(texts.length);
  }

  /**
   * The sink failed: nothing after this step is processed until the outbox is published.
   * Each attempt first makes sure this instance still owns the partition (a frozen instance
   * that lost it must not publish after its successor), backing off with jitter.
   */
  private async holdUntilPublished(heartbeat: Heartbeat): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return;
      let failure: unknown;
      try {
        if (attempt > 0 && !(await this.deps.owns())) {
          this.deps.logger.warn({ partition: this.partition }, 'partition lost while its outbox was pending');
          this.stopped = true;
          return;
        }
        await beating(this.publishOutbox(), heartbeat);
        this.outboxFlushed = true;
        return;
      } catch (error) {
        failure = error;
      }
      this.deps.metrics.publishFailures.inc();
      await this.deps.publisher.close();
      const wait = backoffDelay(publishBackoff, attempt);
      this.deps.logger.warn(
        { partition: this.partition, attempt, waitMs: wait, err: errorMessage(failure) },
        'publishing the outbox failed; the partition waits and retries',
      );
      await beating(delay(wait), heartbeat);
    }
  }

  private async publishStep(changes: StepChanges, entry: string, heartbeat: Heartbeat): Promise<void> {
    try {
      await beating(
        this.deps.publisher.publish(outputValues(this.partition, changes), this.currentProgress()),
        heartbeat,
      );
      await this.deps.store.ackOutbox(this.partition, [entry]);
    } catch (error) {
      this.deps.logger.warn(
        { partition: this.partition, err: errorMessage(error) },
        'publishing a step failed; it stays in the outbox',
      );
      this.deps.metrics.publishFailures.inc();
      await this.deps.publisher.close();
      this.outboxFlushed = false;
      await this.holdUntilPublished(heartbeat);
    }
  }

  /**
   * Where a batch starts relative to what Redis says comes next. Past it: Kafka resumed
   * beyond Redis (Redis lost writes) and the batch is fetched again from Redis' offset,
   * unless retention already removed those records (then folding goes on from the first one
   * left, and the loss is counted and logged). Returns the first offset to apply, or
   * undefined after a seek.
   */
  private async startOf(topic: string, expected: number, first: number): Promise<number | undefined> {
    if (first <= expected) return expected;
    const low = await this.deps.lowWatermark(topic);
    if (low > expected) {
      this.deps.metrics.retentionGaps.inc({ topic });
      this.deps.logger.error(
        { partition: this.partition, topic, from: expected, to: low },
        'records were deleted by retention before they were folded',
      );
    }
    const start = Math.max(expected, low);
    if (first > start) {
      this.deps.seek(topic, start);
      return undefined;
    }
    return start;
  }

  private async deadLetterAll(messages: Message[]): Promise<void> {
    if (messages.length > 0) await this.deps.deadLetters(messages);
  }

  private async eventsBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isStale, isRunning } = payload;
    const { store, codec, settings, metrics } = this.deps;
    if (batch.messages.length === 0 || isStale() || !isRunning()) return;
    const started = process.hrtime.bigint();
    await this.prepare(heartbeat);
    if (this.stopped) return;
    const progress = this.progress as PartitionProgress & { events: number };
    const last = batch.messages.at(-1) as KafkaMessage;
    const start = await this.startOf(batch.topic, progress.events, Number(batch.messages[0]?.offset));
    if (start === undefined) return;
    const fresh = batch.messages.filter((m) => Number(m.offset) >= start);
    if (fresh.length === 0) {
      resolveOffset(last.offset);
      return;
    }
    const now = this.deps.now();
    const events: SequencedEvent[] = [];
    const poison: Message[] = [];
    const decoded = await decodeEvents(codec, fresh, { now, dedup: settings.dedup });
    fresh.forEach((message, i) => {
      const result = decoded[i];
      if (!result) return;
      if (result.ok) events.push({ offset: Number(message.offset), event: result.event });
      else {
        poison.push(this.deadLetterOf(message, result.error, batch.topic));
        metrics.deadLettered.inc({ code: result.error.code });
      }
    });
    // Dead letters go out before the offset moves past them: a crash re-sends, never loses them.
    await this.deadLetterAll(poison);

    const touched = new Map<string, Set<string>>();
    for (const { event } of events)
      touched.set(event.sku, (touched.get(event.sku) ?? new Set()).add(event.locationId));
    const [{ state, totals }, seen] = await Promise.all([
      store.loadTouched(this.partition, touched),
      store.seen(
        this.partition,
        events.map(({ event }) => event),
        this.shardsOf,
      ),
    ]);
    const step = eventsStep({
      events,
      state,
      totals,
      seen: (id) => seen.has(id),
      foldOptions: this.deps.foldOptions,
      regionOf: this.deps.regionOf,
    });
    const nextOffset = Number(last.offset) + 1;
    const entry = outboxEntryOf(step.changes);
    const entryText = entry ? JSON.stringify(entry) : '';
    const write: StepWrite = {
      partition: this.partition,
      expected: { events: progress.events, commands: progress.commands },
      next: { events: nextOffset },
      hashes: hashesOf(step.changes),
      assortment: step.changes.assortment,
      applied: step.fold.applied,
      reservations: [],
      outboxEntry: entryText,
      now,
    };
    if (!(await store.apply(write, this.shardsOf))) {
      await this.fenced(batch.topic);
      return;
    }
    progress.events = nextOffset;
    for (const { occurredAt } of step.fold.applied) {
      const day = this.days.get(dedupDay(occurredAt));
      if (day) day.count++;
    }
    if (entry) await this.publishStep(step.changes, entryText, heartbeat);
    resolveOffset(last.offset);
    await heartbeat();
    metrics.applied.inc(step.fold.applied.length - step.fold.late);
    metrics.late.inc(step.fold.late);
    metrics.duplicates.inc(step.fold.duplicates);
    metrics.unplacedCounts.inc(step.fold.unplacedCounts);
    metrics.lag.set(
      { partition: String(this.partition) },
      Math.max(0, Number(batch.highWatermark) - nextOffset),
    );
    metrics.foldSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  private async commandsBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isStale, isRunning } = payload;
    const { store, codec, metrics } = this.deps;
    if (batch.messages.length === 0 || isStale() || !isRunning()) return;
    await this.prepare(heartbeat);
    if (this.stopped) return;
    const progress = this.progress as PartitionProgress & { events: number };
    const last = batch.messages.at(-1) as KafkaMessage;
    const first = Number(batch.messages[0]?.offset);
    // No command applied yet: start where Kafka starts (retention may have removed offset 0).
    const start = await this.startOf(batch.topic, progress.commands ?? first, first);
    if (start === undefined) return;
    const fresh = batch.messages.filter((m) => Number(m.offset) >= start);
    if (fresh.length === 0) {
      resolveOffset(last.offset);
      return;
    }
    const commands: ReservationCommand[] = [];
    const poison: Message[] = [];
    const decoded = await decodeCommands(codec, fresh);
    fresh.forEach((message, i) => {
      const result = decoded[i];
      if (!result) return;
      if (result.ok) commands.push(result.command);
      else {
        poison.push(this.deadLetterOf(message, result.error, batch.topic));
        metrics.deadLettered.inc({ code: 'COMMAND' });
      }
    });
    await this.deadLetterAll(poison);

    const until = Math.max(progress.clock, ...commands.map((c) => c.issuedAt));
    const ids = new Set(commands.map((c) => c.reservationId));
    for (const id of await store.dueReservations(this.partition, until)) ids.add(id);
    ids.delete('');
    const reservations = await store.loadReservations(this.partition, [...ids]);
    const skus = new Set(commands.filter((c) => c.type !== 'TICK').map((c) => c.sku));
    for (const r of reservations.values()) skus.add(r.sku);
    const { state } = await store.loadSkus(this.partition, [...skus]);
    const step = commandsStep({
      commands,
      state,
      reservations,
      clock: progress.clock,
      regionOf: this.deps.regionOf,
    });
    const nextOffset = Number(last.offset) + 1;
    const entry = outboxEntryOf(step.changes);
    const entryText = entry ? JSON.stringify(entry) : '';
    const write: StepWrite = {
      partition: this.partition,
      expected: { events: progress.events, commands: progress.commands },
      next: { commands: nextOffset, clock: step.clock },
      hashes: hashesOf(step.changes),
      assortment: new Map(),
      applied: [],
      reservations: step.changes.reservations,
      outboxEntry: entryText,
      now: this.deps.now(),
    };
    if (!(await store.apply(write, this.shardsOf))) {
      await this.fenced(batch.topic);
      return;
    }
    progress.commands = nextOffset;
    progress.clock = step.clock;
    if (entry) await this.publishStep(step.changes, entryText, heartbeat);
    resolveOffset(last.offset);
    await heartbeat();
  }

  /** Redis refused the step (its offsets moved): reload them and fetch again from there. */
  private async fenced(topic: string): Promise<void> {
    this.deps.metrics.fenced.inc();
    const stored = await this.deps.store.progress(this.partition);
    // Read again on the next step, with whatever outbox Redis now holds (it may have gone
    // back to a state whose outputs were not all published).
    this.progress = undefined;
    const offset = topic === this.deps.settings.topics.commands ? stored.commands : stored.events;
    this.deps.logger.warn(
      { partition: this.partition, topic, offset },
      'offsets moved under this instance; step not written',
    );
    if (offset !== undefined) this.deps.seek(topic, offset);
  }

  private deadLetterOf(
    message: KafkaMessage,
    error: Parameters<typeof deadLetter>[1],
    topic: string,
  ): Message {
    return deadLetter(message, error, {
      topic,
      partition: this.partition,
      groupId: this.deps.settings.groupId,
      now: this.deps.now,
    });
  }
}

/** Hash fields of every changed sku: its changed locations and its total. */
export function hashesOf(changes: StepChanges): Map<string, Record<string, string>> {
  const hashes = new Map<string, Record<string, string>>();
  for (const [sku, { locations, total }] of changes.skus) hashes.set(sku, hashFields(locations, total));
  return hashes;
}
