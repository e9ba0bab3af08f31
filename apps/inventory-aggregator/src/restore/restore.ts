import { randomBytes } from 'node:crypto';
import type { AvroCodec, Reservation, StockLevel } from '@inventory/codec';
import { delay, errorMessage, isRetriable, type Logger } from '@inventory/core';
import { type DedupPolicy, dayMs, dedupDay, shardsForDay } from '@inventory/domain';
import { readRanges } from '@inventory/kafka';
import { skuAvailability, storedLocationOf } from '@inventory/read-model';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type { LocationState, SkuState } from '../fold/fold.ts';
import { progressHeaders } from '../partition/publisher.ts';
import { decodeEvents } from '../poison.ts';
import { type RedisStore, replacedJournals, type SkuWrite, skuWrite } from '../store/redis-store.ts';

export interface RestoreDeps {
  kafka: Kafka;
  admin: Admin;
  codec: AvroCodec;
  store: RedisStore;
  topics: { input: string; stock: string; reservations: string };
  groupId: string;
  dedup: DedupPolicy;
  regionOf: (locationId: string) => string;
  logger: Logger;
  onRestored: (partitions: number) => void;
  now: () => number;
  /** Partitions rebuilt in one pass over Kafka: bounds the memory a restore holds. */
  partitionsPerPass: number;
  leaseMs: number;
}

/** What Kafka holds of one partition: the newest published state and where it left off. */
export interface PartitionImage {
  locations: Map<string, Map<string, StockLevel>>;
  reservations: Map<string, Reservation>;
  events: number | undefined;
  commands: number | undefined;
  clock: number | undefined;
}

export const emptyImage = (): PartitionImage => ({
  locations: new Map(),
  reservations: new Map(),
  events: undefined,
  commands: undefined,
  clock: undefined,
});

const header = (message: KafkaMessage, name: string): number | undefined => {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  const number = Number(Array.isArray(value) ? value[0]?.toString() : value.toString());
  return Number.isFinite(number) ? number : undefined;
};

/** Folds one record's progress headers into the image: the newest published step wins. */
export function noteProgress(image: PartitionImage, message: KafkaMessage): void {
  const events = header(message, progressHeaders.events);
  const commands = header(message, progressHeaders.commands);
  const clock = header(message, progressHeaders.clock);
  if (events !== undefined) image.events = Math.max(image.events ?? 0, events);
  if (commands !== undefined) image.commands = Math.max(image.commands ?? 0, commands);
  if (clock !== undefined) image.clock = Math.max(image.clock ?? 0, clock);
}

/** Keeps the record of a key with the highest version (a repeat or a reorder cannot roll back). */
export function noteStock(image: PartitionImage, level: StockLevel): void {
  const bySku = image.locations.get(level.sku) ?? new Map<string, StockLevel>();
  const known = bySku.get(level.locationId);
  if (!known || known.version < level.version) bySku.set(level.locationId, level);
  image.locations.set(level.sku, bySku);
}

export function noteReservation(image: PartitionImage, reservation: Reservation): void {
  const known = image.reservations.get(reservation.reservationId);
  if (!known || known.version < reservation.version)
    image.reservations.set(reservation.reservationId, reservation);
}

/**
 * Rebuilds partitions that Redis lost (or never had) from Kafka: the compacted stock and
 * reservations partitions of the same number give the state (the highest version per key,
 * count journals included), their progress headers where the newest published step left
 * the inputs, and the events of the dedup horizon before that point give the eventIds to
 * remember. Events after it changed no published state and are folded again.
 *
 * Fenced and bounded: a partition is written only under its restore lease (one restorer at
 * a time; a restorer that lost its lease writes nothing more), in chunks, and made live in
 * one last atomic step that sets its offsets. The caller opens the partition's
 * transactional producer first, so no earlier owner's transaction is left open in what is
 * read. Requests close together share one pass over Kafka.
 */
export class Restorer {
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: unknown) => void }[]>();
  private running: Promise<void> | undefined;

  constructor(private readonly deps: RestoreDeps) {}

  /** Resolves once the partition is live in Redis again (restored here or by another instance). */
  restore(partition: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.set(partition, [...(this.waiting.get(partition) ?? []), { resolve, reject }]);
      this.kick();
    });
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
      if (this.waiting.size > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    // Let requests of partitions found empty together (a wiped Redis) join one pass.
    await delay(50);
    while (this.waiting.size > 0) {
      const partitions = [...this.waiting.keys()].slice(0, this.deps.partitionsPerPass);
      const failure = await this.pass(partitions).then(
        () => undefined,
        (error: unknown) => error ?? new Error('restore failed'),
      );
      for (const p of partitions) {
        for (const waiter of this.waiting.get(p) ?? []) {
          if (failure) waiter.reject(failure);
          else waiter.resolve();
        }
        this.waiting.delete(p);
      }
    }
  }

  private async pass(partitions: number[]): Promise<void> {
    const { store } = this.deps;
    const token = randomBytes(12).toString('hex');
    const leased: number[] = [];
    const elsewhere: number[] = [];
    for (const p of partitions) {
      if (await store.hasPartition(p)) continue;
      if (await store.acquireRestoreLease(p, token, this.deps.leaseMs)) leased.push(p);
      else elsewhere.push(p);
    }
    await this.restoreLeased(leased, token);
    // Another instance restores these (the previous owner, still at it): wait for it, or for
    // its lease to lapse (it died), then take over.
    for (const p of elsewhere) {
      for (;;) {
        if (await store.hasPartition(p)) break;
        if (await store.acquireRestoreLease(p, token, this.deps.leaseMs)) {
          await this.restoreLeased([p], token);
          break;
        }
        await delay(250);
      }
    }
  }

  private async restoreLeased(partitions: number[], token: string): Promise<void> {
    if (partitions.length === 0) return;
    const { store, logger } = this.deps;
    const renew = setInterval(() => {
      for (const p of partitions)
        store.renewRestoreLease(p, token, this.deps.leaseMs).catch((error) => {
          logger.warn({ partition: p, err: errorMessage(error) }, 'restore lease not renewed');
        });
    }, this.deps.leaseMs / 3);
    try {
      logger.info({ partitions }, 'restoring partitions from the compacted topics');
      const images = await this.read(partitions);
      for (const p of partitions) await this.write(p, token, images.get(p) ?? emptyImage());
      this.deps.onRestored(partitions.length);
    } finally {
      clearInterval(renew);
    }
  }

  /** One pass over the three topics for all `partitions`. */
  private async read(partitions: number[]): Promise<Map<number, PartitionImage>> {
    const { admin, codec, kafka, topics, groupId } = this.deps;
    const images = new Map(partitions.map((p) => [p, emptyImage()]));
    const ranges = async (topic: string) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(
        offsets
          .filter((o) => images.has(o.partition))
          .map((o) => [o.partition, { from: Number(o.low), to: Number(o.high) }]),
      );
    };
    const options = (what: string) => ({ groupPrefix: `${groupId}-restore-${what}`, timeoutMs: 600_000 });
    const skipped = { stock: 0, reservations: 0 };
    const decoded = async <T>(
      value: Buffer | null,
      name: 'StockLevel' | 'Reservation',
    ): Promise<T | undefined> => {
      if (!value) return undefined;
      try {
        return (await codec.decode(value, name)) as T;
      } catch (error) {
        // A record that never decodes is skipped (and counted) rather than refusing to start,
        // which would stop every sku: that key falls back to an older record or to nothing
        // until the next reconciliation corrects it.
        if (isRetriable(error)) throw error;
        return undefined;
      }
    };
    /** Reads one compacted topic's ranges; `note` says whether the record was this partition's. */
    const readEach = async <T>(
      what: 'stock' | 'reservations',
      name: 'StockLevel' | 'Reservation',
      note: (image: PartitionImage, record: T, partition: number) => boolean,
    ) =>
      readRanges(
        kafka,
        topics[what],
        await ranges(topics[what]),
        async (message, partition) => {
          const image = images.get(partition) as PartitionImage;
          const record = await decoded<T>(message.value, name);
          if (!record) {
            skipped[what]++;
            return;
          }
          if (note(image, record, partition)) noteProgress(image, message);
        },
        options(what),
      );
    await Promise.all([
      readEach<StockLevel>('stock', 'StockLevel', (image, level, partition) => {
        // A record of another input partition (placed by an older key rule) is not this one's.
        if (level.inputPartition !== partition) return false;
        noteStock(image, level);
        return true;
      }),
      readEach<Reservation>('reservations', 'Reservation', (image, reservation) => {
        noteReservation(image, reservation);
        return true;
      }),
    ]);
    if (skipped.stock + skipped.reservations > 0)
      this.deps.logger.error(skipped, 'records skipped in the restore: they do not decode');
    return images;
  }

  /** The eventIds of the dedup horizon before `until`, for partition p. */
  private async appliedBefore(
    partition: number,
    until: number,
  ): Promise<{ eventId: string; occurredAt: number }[]> {
    const { admin, codec, kafka, topics, groupId, dedup } = this.deps;
    const now = this.deps.now();
    // Any event folded within the horizon was appended after its occurredAt minus the
    // clients' allowed clock skew; the day's margin covers that.
    const since = now - dedup.horizonMs - dedup.graceMs - dayMs;
    const [bounds, start] = await Promise.all([
      admin.fetchTopicOffsets(topics.input),
      admin.fetchTopicOffsetsByTimestamp(topics.input, since),
    ]);
    const low = Number(bounds.find((o) => o.partition === partition)?.low ?? 0);
    const from = Math.max(low, Number(start.find((o) => o.partition === partition)?.offset ?? low));
    const applied: { eventId: string; occurredAt: number }[] = [];
    await readRanges(
      kafka,
      topics.input,
      new Map([[partition, { from, to: until }]]),
      async (message) => {
        const [result] = await decodeEvents(codec, [message], { now, dedup });
        if (result?.ok) applied.push({ eventId: result.event.eventId, occurredAt: result.event.occurredAt });
      },
      { groupPrefix: `${groupId}-restore-dedup`, timeoutMs: 600_000 },
    );
    return applied;
  }

  private async write(partition: number, token: string, image: PartitionImage): Promise<void> {
    const { store, regionOf, logger } = this.deps;
    const low = Number(
      (await this.deps.admin.fetchTopicOffsets(this.deps.topics.input)).find((o) => o.partition === partition)
        ?.low ?? 0,
    );
    const events = Math.max(image.events ?? low, low);
    const applied = await this.appliedBefore(partition, events);
    // Each day's shards sized from what it holds (known here, unlike a day that is starting).
    const perDay = new Map<number, number>();
    for (const { occurredAt } of applied) {
      const day = dedupDay(occurredAt);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const minimum = store.dedup.shards;
    const shardsOf = (day: number) => shardsForDay(perDay.get(day) ?? 0, minimum);
    // What to clear first: every day the horizon covers, with the most shards it may have used.
    const days = new Map<number, number>();
    const today = dedupDay(this.deps.now());
    const oldest = dedupDay(this.deps.now() - this.deps.dedup.horizonMs - this.deps.dedup.graceMs) - 1;
    for (let day = oldest; day <= today + 1; day++) days.set(day, Math.max(minimum, shardsOf(day)));
    for (const [day, { shards }] of await store.seenDays(partition))
      days.set(day, Math.max(shards, days.get(day) ?? 0));
    const refused = () => {
      throw new Error(`partition ${partition}: the restore lease was lost; another restorer finishes it`);
    };
    if (!(await store.clearForRestore(partition, token, days))) refused();

    const images = [...image.locations];
    for (let i = 0; i < images.length; i += 500) {
      const skus = new Map<string, SkuWrite>();
      const assortment = new Map<string, string[]>();
      for (const [sku, levels] of images.slice(i, i + 500)) {
        const locations: SkuState = new Map<string, LocationState>();
        for (const [locationId, level] of levels) {
          locations.set(locationId, storedLocationOf(level));
          const held = assortment.get(locationId);
          if (held) held.push(sku);
          else assortment.set(locationId, [sku]);
        }
        skus.set(
          sku,
          skuWrite(locations, skuAvailability(sku, locations, regionOf), replacedJournals(locations)),
        );
      }
      const ok = await store.restoreChunk(
        token,
        { partition, skus, assortment, applied: [], reservations: [], now: this.deps.now() },
        shardsOf,
      );
      if (!ok) refused();
    }
    for (let i = 0; i < applied.length; i += 20_000) {
      const ok = await store.restoreChunk(
        token,
        {
          partition,
          skus: new Map(),
          assortment: new Map(),
          applied: applied.slice(i, i + 20_000),
          reservations: [],
          now: this.deps.now(),
        },
        shardsOf,
      );
      if (!ok) refused();
    }
    // Final reservations answer retries for the retention; older ones are not brought back.
    const now = this.deps.now();
    const reservations = [...image.reservations.values()].filter(
      (r) => r.status === 'CONFIRMED' || r.decidedAt + store.reservationRetentionMs > now,
    );
    for (let i = 0; i < reservations.length; i += 1_000) {
      const chunk = reservations.slice(i, i + 1_000);
      const ok = await store.restoreChunk(
        token,
        {
          partition,
          skus: new Map(),
          assortment: new Map(),
          applied: [],
          reservations: chunk,
          now: this.deps.now(),
        },
        shardsOf,
      );
      if (!ok) refused();
      // Release and commit name only the id: the index the API keeps is written again (set
      // only where missing: an id's sku never changes).
      const pipeline = store.redis.pipeline();
      for (const r of chunk) pipeline.set(store.keys.reservationSku(r.reservationId), r.sku, 'NX');
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    }
    const progress = { events, commands: image.commands, clock: image.clock };
    if (!(await store.finishRestore(partition, token, progress))) refused();
    // Worth a warning only when Redis had lost state the topics held; a partition the topics
    // hold nothing of (a new stack, a new partition) had nothing to lose.
    const restored = images.length + reservations.length + applied.length + events > 0;
    logger[restored ? 'warn' : 'info'](
      {
        partition,
        ...progress,
        skus: images.length,
        reservations: reservations.length,
        eventIds: applied.length,
      },
      restored ? 'partition restored' : 'partition started empty: nothing to restore',
    );
  }
}
