import type { AvroCodec, ReservationCommand } from '@inventory/codec';
import { backoffDelay, delay, errorMessage, type Logger } from '@inventory/core';
import { dedupDay, type Fingerprint, shardsForDay } from '@inventory/domain';
import { skuAvailability, stockLevelOf } from '@inventory/read-model';
import type { KafkaMessage, Message } from 'kafkajs';
import type { AggregatorSettings } from '../config.ts';
import type { FoldOptions, SequencedEvent } from '../fold/fold.ts';
import type { AggregatorMetrics } from '../metrics.ts';
import { deadLetter, decodeCommands, decodeEvents } from '../poison.ts';
import type { Restorer } from '../restore/restore.ts';
import { type OutputValues, outboxEntryOf, parseOutboxEntry, type StepChanges } from '../steps/changes.ts';
import { commandsStep } from '../steps/commands-step.ts';
import { eventsStep } from '../steps/events-step.ts';
import type { PartitionProgress, RedisStore, StepWrite } from '../store/redis-store.ts';
import { type InputKind, Intake, type Work } from './intake.ts';
import { PendingOutputs } from './pending-outputs.ts';
import type { PartitionPublisher, Progress } from './publisher.ts';
import { StateCache } from './state-cache.ts';

export interface RunnerLimits {
  /** Most events one step folds. */
  maxStepEvents: number;
  /** How long arrived events wait for more before they are a step (intake.ts). */
  stepLingerMs: number;
  /** Records queued before the partition's fetching pauses. */
  maxQueued: number;
  /** How long a committed step's outputs wait to be published with the steps after it (outcomes do not wait). */
  publishLingerMs: number;
  /** Location x sku states the runner keeps in memory (of the skus touched most recently). */
  cachedLocations: number;
  /** Replicas that must hold a step deciding reservations before it is published (0: none). */
  reservationReplicas: number;
  /** How long one WAIT for them blocks. */
  replicaWaitMs: number;
}

export interface RunnerDeps {
  partition: number;
  settings: AggregatorSettings;
  limits: RunnerLimits;
  store: RedisStore;
  codec: AvroCodec;
  publisher: PartitionPublisher;
  restorer: Restorer;
  /** Sends dead letters (acks=all) before the offset moves past them. */
  deadLetters: (messages: Message[]) => Promise<void>;
  regionOf: (locationId: string) => string;
  /** A known location's home data centre (master data). */
  dataCentreOf: (locationId: string) => string | undefined;
  /** Moves the consumer's position of an input of this partition. */
  seek: (input: InputKind, offset: number) => void;
  pause: (input: InputKind) => void;
  resume: (input: InputKind) => void;
  /** The first offset the topic still holds in this partition. */
  lowWatermark: (input: InputKind) => Promise<number>;
  /** Whether this instance owns the partition in the group's current, stable generation. */
  owns: () => Promise<boolean>;
  foldOptions: FoldOptions;
  metrics: AggregatorMetrics;
  logger: Logger;
  now: () => number;
}

const retryBackoff = { initialMs: 200, maxMs: 10_000, factor: 2, retries: Number.POSITIVE_INFINITY };

/** Where a partition's inputs stand in Redis, known once the partition is prepared. */
type Known = PartitionProgress & { events: number };

/**
 * One input partition of the aggregator, for as long as this instance owns it in one group
 * generation. The consumer hands it every fetched batch (Intake) and goes on fetching; the
 * runner's own loop takes what has arrived as one step at a time: decode (poison to the dead
 * letters first), read what the step touches, a pure step function, one atomic Redis write
 * that moves the offsets only if they are unchanged. A committed step's outputs join the
 * pending ones (PendingOutputs) and are published together, coalesced per key, after a
 * short linger, while the next steps run; a failed publication holds the partition until the
 * outbox Redis keeps is published. Events and reservation commands are stepped one after the
 * other in arrival order, so a decision sees every event folded before it.
 */
export class PartitionRunner {
  private readonly intake: Intake;
  private readonly pending: PendingOutputs;
  private readonly cache: StateCache;
  private known: Known | undefined;
  /**
   * What the runner knew it had written when it last rewound, until Redis is read again: a
   * Redis holding less lost writes (however many reads failed in between), counted once.
   */
  private written: Known | undefined;
  /** Per dedup day: its shard count (fixed once the day has fingerprints) and how many it holds. */
  private days = new Map<number, { shards: number; count: number }>();
  /** The progress whose outputs are published: what the group's committed offsets may say. */
  private publishedProgress: Progress | undefined;
  private stopped = false;
  /** A publication failed: nothing is stepped until the outbox is published. */
  private held = false;
  private checkWanted = true;
  private readonly paused = new Set<InputKind>();
  private wake: (() => void) | undefined;
  private signaled = false;
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Wakes the loop when lingering events are due as a step. */
  private stepTimer: NodeJS.Timeout | undefined;
  /**
   * The newest end of the events input known (a fetch's high watermark, or the broker's end
   * offset read by the instance): the lag gauge counts from it, so records queued here or not
   * fetched yet while fetching is paused are counted too. Undefined until one is known: a
   * gauge of 0 then would hide a backlog. It only grows: a topic recreated under a running
   * group is not a case the aggregator serves (its offsets in Redis would be wrong too).
   */
  private eventsEnd: number | undefined;
  private readonly done: Promise<void>;
  /** Cuts a back-off short when the runner stops. */
  private readonly stopping = new AbortController();
  /**
   * The progress of a step with nothing to publish, committed while a publication was out:
   * what the group may commit once that publication is in, if nothing was staged meanwhile.
   */
  private quietProgress: Progress | undefined;

  /** `after`: the previous runner of the partition in this instance, which must stop first. */
  constructor(
    private readonly deps: RunnerDeps,
    after: Promise<unknown> = Promise.resolve(),
  ) {
    this.intake = new Intake({
      maxStepEvents: deps.limits.maxStepEvents,
      highWater: deps.limits.maxQueued,
      lingerMs: deps.limits.stepLingerMs,
    });
    this.pending = new PendingOutputs(deps.partition);
    this.cache = new StateCache(deps.limits.cachedLocations);
    // Fetching may have been paused by a runner of an earlier generation.
    deps.resume('events');
    deps.resume('commands');
    this.done = after.then(() => this.loop());
  }

  get partition(): number {
    return this.deps.partition;
  }

  /** The offsets whose outputs are published, for the group's committed offsets. */
  get committable(): Progress | undefined {
    return this.publishedProgress;
  }

  /** Takes a fetched batch; fetching of its input pauses while the queue is deep. */
  enqueue(input: InputKind, messages: KafkaMessage[], highWatermark: number): void {
    if (this.stopped) return;
    if (input === 'events') this.observeEnd(highWatermark);
    if (this.intake.push({ input, messages }, this.deps.now()) && !this.paused.has(input)) {
      this.paused.add(input);
      this.deps.pause(input);
    }
    this.signal();
  }

  /** The events input's end offset as the broker answered it (the lag gauge's reference). */
  observeEnd(highWatermark: number): void {
    if (this.eventsEnd === undefined || highWatermark > this.eventsEnd) this.eventsEnd = highWatermark;
    this.reportLag();
  }

  /** A stopped runner reports nothing: its partition's series left with it (loop's end). */
  private reportLag(): void {
    const next = this.known?.events;
    if (this.stopped || next === undefined || this.eventsEnd === undefined) return;
    this.deps.metrics.lag.set({ partition: String(this.partition) }, Math.max(0, this.eventsEnd - next));
  }

  /**
   * Brings the partition live without waiting for its next record: after assignment, and
   * whenever the watchdog finds that Redis lost it (restored then, also when idle).
   */
  check(): void {
    this.checkWanted = true;
    this.signal();
  }

  /** No new work; the step in progress ends, pending outputs are published, the producer closes. */
  stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.signal();
    return this.done;
  }

  /** Settles once the runner has stopped (after `stop`); its successor starts after it. */
  get finished(): Promise<void> {
    return this.done;
  }

  /** Wakes the loop; a signal while it is busy is kept, so it is not lost before it idles. */
  private signal(): void {
    this.signaled = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private idle(): Promise<void> {
    if (this.signaled) {
      this.signaled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wake = () => {
        this.signaled = false;
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    for (let failures = 0; !this.stopped; ) {
      try {
        if (this.checkWanted) {
          this.checkWanted = false;
          await this.checkStore();
        }
        if (this.held) {
          // Held with its progress known: publish the outbox; otherwise preparing does.
          if (this.known) await this.holdUntilPublished(true);
          else await this.prepare();
          continue;
        }
        if (!this.known) {
          // Before any step: preparing may move the consumer, and what was queued with it.
          await this.prepare();
          continue;
        }
        const now = this.deps.now();
        const work = this.intake.take(now);
        this.resumeDrained();
        if (!work) {
          this.wakeIn(this.intake.dueIn(now));
          await this.idle();
          continue;
        }
        if (work.input === 'events') await this.eventsStep(work);
        else await this.commandsStep(work);
        this.scheduleFlush();
        failures = 0;
      } catch (error) {
        // Redis, the registry or the dead-letter topic failed mid-step: nothing of the step
        // was written (the atomic write is its last act), so the partition reads its
        // progress again and fetches again from there.
        const wait = backoffDelay(retryBackoff, failures++);
        this.deps.logger.warn(
          { partition: this.partition, err: errorMessage(error), waitMs: wait },
          'the partition failed to prepare or to step; it fetches again from what Redis holds',
        );
        this.deps.metrics.stepFailures.inc();
        this.rewind();
        await delay(wait, this.stopping.signal).catch(() => {});
      }
    }
    clearTimeout(this.flushTimer);
    clearTimeout(this.stepTimer);
    await this.flushing;
    if (!this.held && this.known) await this.flush().catch(() => {});
    await this.deps.publisher.close();
    // The partition may go to another instance, which reports its lag from then on.
    this.deps.metrics.lag.remove({ partition: String(this.partition) });
    this.deps.logger.debug({ partition: this.partition }, 'partition stopped');
  }

  /** Signals the loop once `ms` have passed (events lingering for a step); nothing when undefined. */
  private wakeIn(ms: number | undefined): void {
    if (ms === undefined || this.stepTimer) return;
    this.stepTimer = setTimeout(() => {
      this.stepTimer = undefined;
      this.signal();
    }, ms);
  }

  private resumeDrained(): void {
    if (this.paused.size === 0 || !this.intake.drained) return;
    for (const input of this.paused) this.deps.resume(input);
    this.paused.clear();
  }

  /**
   * Forgets what the runner knows (after a failed or refused step, or when Redis went back in
   * time); the next preparation reads the offsets Redis holds and fetches from there.
   */
  private rewind(): void {
    this.written ??= this.known;
    this.known = undefined;
    this.quietProgress = undefined;
    this.pending.clear();
    this.cache.clear();
  }

  private seek(input: InputKind, offset: number): void {
    if (this.stopped) return;
    this.intake.clear(input);
    this.deps.seek(input, offset);
  }

  /** The watchdog's check: Redis lost the partition, or went back in time, and it is idle. */
  private async checkStore(): Promise<void> {
    if (this.known && behind(await this.deps.store.progress(this.partition), this.known)) this.rewind();
    await this.prepare();
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
  private async prepare(): Promise<void> {
    if (this.known) return;
    const { store, publisher, restorer, logger } = this.deps;
    // Steps committed before a rewind may still be publishing: the outbox is published after them.
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushing;
    if (this.stopped) return;
    await publisher.open();
    let progress = await store.progress(this.partition);
    if (progress.events === undefined) {
      await restorer.restore(this.partition);
      progress = await store.progress(this.partition);
    }
    if (progress.events === undefined) throw new Error(`partition ${this.partition} was not restored`);
    // No command applied: from the first one Kafka holds, where a new group starts too.
    const commandsFrom = progress.commands ?? (await this.deps.lowWatermark('commands'));
    // A runner stopped meanwhile must not move the consumer under its successor.
    if (this.stopped) return;
    this.known = { ...progress, events: progress.events };
    const written = this.written;
    this.written = undefined;
    if (written && behind(progress, written)) {
      logger.warn(
        {
          partition: this.partition,
          stored: progress,
          written: { events: written.events, commands: written.commands },
        },
        'Redis holds less of the partition than this instance wrote; folding again from what it holds',
      );
      this.deps.metrics.rewinds.inc();
    }
    // The consumer fetches from where Redis stands, wherever it was before: its position may be
    // past it (Redis lost writes, or restarted from a backup, under this or an earlier owner),
    // and a partition with no new records would otherwise never fetch the lost ones again.
    this.seek('events', progress.events);
    this.seek('commands', commandsFrom);
    this.reportLag();
    this.days = await store.seenDays(this.partition);
    this.pending.clear();
    this.cache.clear();
    logger.debug({ partition: this.partition, progress }, 'partition ready');
    await this.holdUntilPublished(false);
  }

  private currentProgress(): Progress {
    const known = this.known as Known;
    return { events: known.events, commands: known.commands, clock: known.clock };
  }

  /**
   * Publishes what steps committed but did not publish (this instance's failed publication,
   * or a crashed predecessor's): the current values of the skus and reservations named, at
   * least as new as the lost ones, with the current progress; outcomes and sales as they
   * were. Then the entries are removed.
   */
  private async publishOutbox(): Promise<void> {
    const { store, publisher } = this.deps;
    const texts = await store.pendingOutbox(this.partition);
    if (texts.length > 0) {
      const entries = texts.map(parseOutboxEntry);
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
    this.publishedProgress = this.currentProgress();
  }

  /**
   * Nothing after this is stepped until the outbox is published. Each retry first makes sure
   * this instance still owns the partition (a frozen instance that lost it must not publish
   * after its successor), backing off with jitter.
   */
  private async holdUntilPublished(failed: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) return;
      let failure: unknown;
      try {
        if (failed || attempt > 0) {
          await this.deps.publisher.close();
          if (!(await this.deps.owns())) {
            this.deps.logger.warn(
              { partition: this.partition },
              'partition lost while its outbox was pending',
            );
            this.stopped = true;
            return;
          }
        }
        await this.publishOutbox();
        this.held = false;
        return;
      } catch (error) {
        failure = error;
      }
      this.deps.metrics.publishFailures.inc();
      const wait = backoffDelay(retryBackoff, attempt);
      this.deps.logger.warn(
        { partition: this.partition, attempt, waitMs: wait, err: errorMessage(failure) },
        'publishing the outbox failed; the partition waits and retries',
      );
      await delay(wait, this.stopping.signal).catch(() => {});
    }
  }

  /**
   * Publishes the pending outputs once they have waited the linger, one publication at a time;
   * at once when a request waits for them (a reservation's outcome), everything pending with it.
   */
  private scheduleFlush(): void {
    if (this.flushing || this.held || this.pending.empty) return;
    const waited = this.deps.now() - (this.pending.since ?? 0);
    const rest = this.pending.awaited ? 0 : this.deps.limits.publishLingerMs - waited;
    if (rest > 0) {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = undefined;
        this.scheduleFlush();
      }, rest);
      return;
    }
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushing = this.flush()
      .catch((error: unknown) => {
        // The steps keep their outbox entries in Redis: held, the partition publishes them.
        this.deps.logger.warn(
          { partition: this.partition, err: errorMessage(error) },
          'publishing failed; the partition holds until its outbox is published',
        );
        this.deps.metrics.publishFailures.inc();
        this.held = true;
        this.pending.clear();
        this.quietProgress = undefined;
        this.signal();
      })
      .finally(() => {
        this.flushing = undefined;
        if (!this.stopped) this.scheduleFlush();
      });
  }

  private async flush(): Promise<void> {
    const publication = this.pending.take();
    if (!publication) return;
    const started = process.hrtime.bigint();
    await this.deps.publisher.publish(publication.values, publication.progress);
    await this.deps.store.ackOutbox(this.partition, publication.entries);
    this.publishedProgress =
      this.quietProgress !== undefined && this.pending.empty ? this.quietProgress : publication.progress;
    this.quietProgress = undefined;
    this.deps.metrics.publishSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /**
   * Where a step starts relative to what Redis says comes next. Past it: Kafka resumed
   * beyond Redis (Redis lost writes, or records queued by an earlier runner were dropped)
   * and the input is fetched again from Redis' offset, unless retention already removed
   * those records (then folding goes on from the first one left, and the loss is counted
   * and logged). Returns the first offset to apply, or undefined after a seek.
   */
  private async startOf(input: InputKind, expected: number, first: number): Promise<number | undefined> {
    if (first <= expected) return expected;
    const low = await this.deps.lowWatermark(input);
    const topic = input === 'events' ? this.deps.settings.topics.input : this.deps.settings.topics.commands;
    if (low > expected) {
      this.deps.metrics.retentionGaps.inc({ topic });
      this.deps.logger.error(
        { partition: this.partition, topic, from: expected, to: low },
        'records were deleted by retention before they were folded',
      );
    }
    const start = Math.max(expected, low);
    if (first > start) {
      this.seek(input, start);
      return undefined;
    }
    return start;
  }

  private async deadLetterAll(messages: Message[]): Promise<void> {
    if (messages.length > 0) await this.deps.deadLetters(messages);
  }

  private async eventsStep(work: Work): Promise<void> {
    const { store, codec, settings, metrics } = this.deps;
    const started = process.hrtime.bigint();
    const known = this.known as Known;
    const last = work.messages.at(-1) as KafkaMessage;
    const start = await this.startOf('events', known.events, Number(work.messages[0]?.offset));
    if (start === undefined) return;
    const fresh = work.messages.filter((m) => Number(m.offset) >= start);
    if (fresh.length === 0) return;
    const now = this.deps.now();
    const events: SequencedEvent[] = [];
    const poison: Message[] = [];
    const decoded = await decodeEvents(codec, fresh, {
      now,
      dedup: settings.dedup,
      ...(settings.dataCentre === undefined
        ? {}
        : { home: { dataCentre: settings.dataCentre, of: this.deps.dataCentreOf } }),
    });
    fresh.forEach((message, i) => {
      const result = decoded[i];
      if (!result) return;
      if (result.ok) events.push({ offset: Number(message.offset), event: result.event });
      else {
        poison.push(this.deadLetterOf(message, result.error, settings.topics.input));
        metrics.deadLettered.inc({ code: result.error.code });
      }
    });
    // Dead letters go out before the offset moves past them: a crash re-sends, never loses them.
    await this.deadLetterAll(poison);

    const touched = new Map<string, Set<string>>();
    for (const { event } of events)
      touched.set(event.sku, (touched.get(event.sku) ?? new Set()).add(event.locationId));
    // What the cache lacks is read with the dedup memory, in one round trip.
    const lookup = this.cache.lookup(touched);
    metrics.stateLookups.inc({ from: 'cache' }, lookup.fromCache);
    metrics.stateLookups.inc({ from: 'redis' }, lookup.toRead);
    const fingerprints = new Map<string, Fingerprint>();
    const [read, seen] = await Promise.all([
      lookup.missing.size > 0 ? store.readTouched(this.partition, lookup.missing) : new Map(),
      store.seen(
        this.partition,
        events.map(({ event }) => event),
        this.shardsOf,
        fingerprints,
      ),
    ]);
    this.cache.remember(lookup, read);
    const step = eventsStep({
      events,
      state: lookup.state,
      totals: lookup.totals,
      seen: (id) => seen.has(id),
      foldOptions: this.deps.foldOptions,
      regionOf: this.deps.regionOf,
    });
    const nextOffset = Number(last.offset) + 1;
    const committed = await this.commit(step.changes, {
      expected: { events: known.events, commands: known.commands },
      next: { events: nextOffset },
      assortment: step.changes.assortment,
      applied: step.fold.applied,
      fingerprints,
      now,
    });
    if (!committed) return;
    for (const { occurredAt } of step.fold.applied) {
      const day = this.days.get(dedupDay(occurredAt));
      if (day) day.count++;
    }
    metrics.applied.inc(step.fold.applied.length - step.fold.late);
    // Wall-clock time, not the partition's event-time clock: how long a reader waited for it.
    const written = Date.now();
    for (const message of fresh)
      metrics.freshness.observe(Math.max(0, written - Number(message.timestamp)) / 1000);
    metrics.late.inc(step.fold.late);
    metrics.duplicates.inc(step.fold.duplicates);
    metrics.unplacedCounts.inc(step.fold.unplacedCounts);
    metrics.stepEvents.observe(fresh.length);
    this.reportLag();
    metrics.foldSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  private async commandsStep(work: Work): Promise<void> {
    const { store, codec, metrics, settings } = this.deps;
    const known = this.known as Known;
    const first = Number(work.messages[0]?.offset);
    const last = work.messages.at(-1) as KafkaMessage;
    // No command applied yet: start where Kafka starts (retention may have removed offset 0).
    const start = await this.startOf('commands', known.commands ?? first, first);
    if (start === undefined) return;
    const fresh = work.messages.filter((m) => Number(m.offset) >= start);
    if (fresh.length === 0) return;
    const commands: ReservationCommand[] = [];
    const poison: Message[] = [];
    const decoded = await decodeCommands(codec, fresh);
    fresh.forEach((message, i) => {
      const result = decoded[i];
      if (!result) return;
      if (result.ok) commands.push(result.command);
      else {
        poison.push(this.deadLetterOf(message, result.error, settings.topics.commands));
        metrics.deadLettered.inc({ code: 'COMMAND' });
      }
    });
    await this.deadLetterAll(poison);

    const until = Math.max(known.clock, ...commands.map((c) => c.issuedAt));
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
      clock: known.clock,
      regionOf: this.deps.regionOf,
    });
    const nextOffset = Number(last.offset) + 1;
    const committed = await this.commit(step.changes, {
      expected: { events: known.events, commands: known.commands },
      next: { commands: nextOffset, clock: step.clock },
      assortment: new Map(),
      applied: [],
      now: this.deps.now(),
    });
    if (!committed) return;
    for (const outcome of step.changes.outcomes) metrics.reservationOutcomes.inc({ status: outcome.status });
  }

  /**
   * The step's one atomic write, its outbox entry with it; then its outputs join the pending
   * ones. False when Redis refused it (its offsets moved): the partition then reads them
   * again and fetches from there.
   */
  private async commit(
    changes: StepChanges,
    write: Pick<StepWrite, 'expected' | 'next' | 'assortment' | 'applied' | 'now' | 'fingerprints'>,
  ): Promise<boolean> {
    const entry = outboxEntryOf(changes);
    const entryText = entry ? JSON.stringify(entry) : '';
    const ok = await this.deps.store.apply(
      {
        ...write,
        partition: this.partition,
        skus: changes.skus,
        reservations: changes.reservations,
        outboxEntry: entryText,
      },
      this.shardsOf,
    );
    if (!ok) {
      this.fenced();
      return false;
    }
    this.cache.commit(changes);
    const known = this.known as Known;
    if (write.next.events !== undefined) known.events = write.next.events;
    if (write.next.commands !== undefined) known.commands = write.next.commands;
    if (write.next.clock !== undefined) known.clock = write.next.clock;
    if (changes.reservations.length > 0 && !(await this.replicated(known))) return false;
    if (entry) this.pending.stage(changes, entryText, this.currentProgress(), this.deps.now());
    // A step with nothing to publish changed nothing published: its progress goes with the
    // next publication, or is committable at once when none is pending.
    else if (!this.pending.empty) this.pending.advance(this.currentProgress());
    else if (this.flushing) this.quietProgress = this.currentProgress();
    else this.publishedProgress = this.currentProgress();
    return true;
  }

  /**
   * A step that decided reservations is told to no one (outcomes, availability) before
   * `reservationReplicas` replicas hold it: a replica promoted without it would fold the
   * commands again, perhaps in another order with the events, and could answer otherwise than
   * the outcome already published. While the primary holds the step but too few replicas do,
   * it waits; when Redis no longer holds it (failed over without it), the partition rewinds
   * and folds the commands again. False when the step is not to be published from here.
   */
  private async replicated(known: Known): Promise<boolean> {
    const { reservationReplicas: replicas, replicaWaitMs } = this.deps.limits;
    if (replicas === 0) return true;
    for (let attempt = 0; !this.stopped; attempt++) {
      const answer = await this.deps.store
        .replicated(this.partition, replicas, replicaWaitMs)
        .catch(() => undefined);
      if (answer && behind(answer.progress, known)) {
        this.fenced();
        return false;
      }
      if (answer && answer.acked >= replicas) return true;
      this.deps.metrics.replicaWaits.inc();
      await delay(backoffDelay(retryBackoff, attempt), this.stopping.signal).catch(() => {});
    }
    // Stopping: the step's outbox entry stays in Redis for whoever owns the partition next.
    return false;
  }

  /** Redis refused the step (its offsets moved): read them again and fetch from there. */
  private fenced(): void {
    this.deps.metrics.fenced.inc();
    this.deps.logger.warn(
      { partition: this.partition },
      'offsets moved under this instance; step not written',
    );
    // Read again on the next step, with whatever outbox Redis now holds (it may have gone
    // back to a state whose outputs were not all published).
    this.rewind();
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

/** Whether Redis holds less of the partition than was written to it. */
function behind(stored: PartitionProgress, known: Known): boolean {
  return (
    stored.events === undefined ||
    stored.events < known.events ||
    (stored.commands ?? -1) < (known.commands ?? -1)
  );
}
