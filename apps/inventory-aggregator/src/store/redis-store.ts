import type { SkuAvailability } from '@inventory/codec';
import {
  type DedupPolicy,
  dedupDay,
  dedupDayExpiresAt,
  dedupFingerprint,
  type Fingerprint,
} from '@inventory/domain';
import {
  encodeJournal,
  encodeStoredLocation,
  encodeStoredReservation,
  encodeStoredTotal,
  type JournalEdit,
  type KeyLayout,
  locationField,
  parseStoredReservation,
  ReadModelReader,
  type RedisClient,
  type StoredReservation,
  type StoredSku,
  totalField,
  touchedSku,
} from '@inventory/read-model';
import type { LocationState, SkuState } from '../fold/fold.ts';
import { isActive } from '../reservations/decide.ts';
import { storeScripts } from './apply.lua.ts';

/** Where a partition's two inputs stand, and its reservation clock, as Redis holds them. */
export interface PartitionProgress {
  /** Next offset of the events to apply; undefined when Redis has nothing of the partition. */
  events: number | undefined;
  /** Next offset of the reservation commands; undefined before the first command. */
  commands: number | undefined;
  clock: number;
}

/** A partition's progress from the values of its offset, command offset and clock keys. */
function progressOf([events, commands, clock]: (string | null | undefined)[]): PartitionProgress {
  return {
    events: events === null || events === undefined ? undefined : Number(events),
    commands: commands === null || commands === undefined ? undefined : Number(commands),
    clock: Number(clock ?? 0),
  };
}

/** What one step writes: state, fingerprints, reservations, and where the inputs move to. */
export interface StepWrite {
  partition: number;
  expected: { events: number | undefined; commands: number | undefined };
  next: { events?: number; commands?: number; clock?: number };
  /** Changed skus: their changed locations, their total and their journal edits. */
  skus: ReadonlyMap<string, SkuWrite>;
  /** Skus newly held at a location (the assortment index). */
  assortment: Map<string, string[]>;
  /** Applied eventIds with the occurredAt that places them in the dedup memory. */
  applied: { eventId: string; occurredAt: number }[];
  /** The step's clock: days of the dedup memory past every horizon are forgotten from it. */
  now: number;
  reservations: StoredReservation[];
  outboxEntry: string;
  /** Fingerprints of eventIds already computed this step (by `seen`): each is hashed once. */
  fingerprints?: ReadonlyMap<string, Fingerprint>;
}

export interface DedupSettings {
  policy: DedupPolicy;
  /** Shards of a new day's fingerprints (each a small hash); a day keeps the count it started with. */
  shards: number;
}

/**
 * What a step writes of one sku: its changed locations' state, its new total and its journal
 * edits. Encoded straight into the script's arguments (`encode`), so a step's changes (a
 * `SkuChange` has this shape) are handed over as they are, without a copy per sku.
 */
export interface SkuWrite {
  locations: Iterable<[locationId: string, state: LocationState]>;
  total: SkuAvailability;
  journals: Iterable<[locationId: string, edit: JournalEdit]>;
}

/**
 * Skus one read script call reads: a step of ten thousand skus is a few calls, so no call
 * holds Redis (single-threaded, also answering the query API) for long.
 */
const readTouchedSkus = 1_000;

/** Write arguments of one applyScript/restoreChunkScript call. */
interface Encoded {
  keys: string[];
  args: (string | number)[];
}

/**
 * The aggregator's state in Redis: the read model (through the layout and value codecs of
 * @inventory/read-model, its only writer), the partitions' progress, the dedup memory, the
 * reservations and the outbox.
 */
export class RedisStore {
  readonly keys: KeyLayout;
  private readonly reader: ReadModelReader;

  constructor(
    readonly redis: RedisClient,
    prefix: string,
    /** The input topic's partition count, which places the partitions' keys (slots.ts). */
    partitions: number,
    readonly dedup: DedupSettings,
    /** How long final reservations are kept, so a late retry still gets its answer. */
    readonly reservationRetentionMs: number,
  ) {
    this.reader = new ReadModelReader(redis, prefix, partitions);
    this.keys = this.reader.keys;
    for (const [name, lua] of Object.entries(storeScripts)) redis.defineCommand(name, { lua });
  }

  /**
   * Runs one of storeScripts with its arguments as one array (ioredis flattens it):
   * spreading a batch's hundreds of thousands of arguments into a call would overflow the
   * stack.
   */
  private runScript(script: keyof typeof storeScripts, keys: number, args: unknown[]): Promise<unknown> {
    const commands = this.redis as unknown as Record<
      typeof script,
      (n: number, a: unknown[]) => Promise<unknown>
    >;
    return commands[script](keys, args);
  }

  async progress(partition: number): Promise<PartitionProgress> {
    return progressOf(
      await this.redis.mget(
        this.keys.offset(partition),
        this.keys.commandOffset(partition),
        this.keys.clock(partition),
      ),
    );
  }

  /**
   * What the partition's primary holds of its progress, and how many replicas acknowledge
   * its writes so far (WAIT): one pipeline on one connection, in order, so the count covers
   * the writes the read saw. Blocks up to `timeoutMs` when fewer than `replicas` do.
   */
  async replicated(
    partition: number,
    replicas: number,
    timeoutMs: number,
  ): Promise<{ progress: PartitionProgress; acked: number }> {
    const replies =
      (await this.redis
        .pipeline()
        .mget(this.keys.offset(partition), this.keys.commandOffset(partition), this.keys.clock(partition))
        .wait(replicas, timeoutMs)
        .exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    return {
      progress: progressOf(replies[0]?.[1] as (string | null)[]),
      acked: Number(replies[1]?.[1] ?? 0),
    };
  }

  async hasPartition(partition: number): Promise<boolean> {
    return (await this.redis.exists(this.keys.offset(partition))) === 1;
  }

  /** Every location and the total of each sku, in one round trip. */
  async loadSkus(
    partition: number,
    skus: string[],
  ): Promise<{ state: Map<string, SkuState>; totals: Map<string, SkuAvailability | undefined> }> {
    const stored = await this.reader.skusIn(partition, skus);
    return {
      state: new Map(skus.map((sku, i) => [sku, stored[i]?.locations ?? new Map()])),
      totals: new Map(skus.map((sku, i) => [sku, stored[i]?.total])),
    };
  }

  /**
   * The total and the named locations (with their journals) of each sku: readTouchedScript,
   * one call per `readTouchedSkus` skus, the calls at once. Every write of a sku writes its
   * total, so a sku without one holds no location yet.
   */
  async readTouched(partition: number, touched: Map<string, Set<string>>): Promise<Map<string, StoredSku>> {
    const order = [...touched].map(([sku, locations]) => ({ sku, locations: [...locations] }));
    const chunks: (typeof order)[] = [];
    for (let i = 0; i < order.length; i += readTouchedSkus) chunks.push(order.slice(i, i + readTouchedSkus));
    const replies = await Promise.all(
      chunks.map((chunk) => {
        const keys: string[] = [];
        const args: string[] = [totalField];
        for (const { sku, locations } of chunk) {
          keys.push(this.keys.sku(partition, sku), this.keys.journal(partition, sku));
          args.push(String(locations.length));
          for (const locationId of locations) args.push(locationField(locationId));
        }
        return this.runScript('inventoryReadTouched', keys.length, [...keys, ...args]);
      }),
    );
    const read = new Map<string, StoredSku>();
    chunks.forEach((chunk, c) => {
      const reply = replies[c] as (string | null)[][];
      chunk.forEach(({ sku, locations }, i) => {
        read.set(sku, touchedSku(sku, locations, reply[2 * i] ?? [], reply[2 * i + 1] ?? []));
      });
    });
    return read;
  }

  /** How many shards each day of the partition's dedup memory uses, and how many eventIds it holds. */
  async seenDays(partition: number): Promise<Map<number, { shards: number; count: number }>> {
    const [shards, counts] = await Promise.all([
      this.redis.hgetall(this.keys.seenShards(partition)),
      this.redis.hgetall(this.keys.seenCount(partition)),
    ]);
    return new Map(
      Object.entries(shards).map(([day, count]) => [
        Number(day),
        { shards: Number(count), count: Number(counts[day] ?? 0) },
      ]),
    );
  }

  /**
   * Which of `events` were applied before: their fingerprints looked up in the shard of their
   * day, one HMGET per shard in one round trip. `shardsOf` gives a day's shard count; the
   * fingerprints are left in `fingerprints`, for the step's write to reuse.
   */
  async seen(
    partition: number,
    events: { eventId: string; occurredAt: number }[],
    shardsOf: (day: number) => number,
    fingerprints = new Map<string, Fingerprint>(),
  ): Promise<Set<string>> {
    const byShard = new Map<number, { key: string; fields: string[]; ids: string[] }>();
    for (const { eventId, occurredAt } of events) {
      const day = dedupDay(occurredAt);
      const fingerprint = dedupFingerprint(eventId, shardsOf(day));
      fingerprints.set(eventId, fingerprint);
      const { shard, field } = fingerprint;
      const slot = shardSlot(day, shard);
      let entry = byShard.get(slot);
      if (!entry) {
        entry = { key: this.keys.seen(partition, day, shard), fields: [], ids: [] };
        byShard.set(slot, entry);
      }
      entry.fields.push(field);
      entry.ids.push(eventId);
    }
    const found = new Set<string>();
    const groups = [...byShard.values()];
    if (groups.length === 0) return found;
    const pipeline = this.redis.pipeline();
    for (const { key, fields } of groups) pipeline.hmget(key, ...fields);
    const replies = (await pipeline.exec()) ?? [];
    let i = 0;
    for (const { ids } of groups) {
      const [error, values] = replies[i++] ?? [null, []];
      if (error) throw error;
      (values as (string | null)[]).forEach((value, j) => {
        if (value !== null) found.add(ids[j] as string);
      });
    }
    return found;
  }

  /** The atomic step (applyScript); false when an offset moved (another writer, or Redis lost writes). */
  async apply(write: StepWrite, shardsOf: (day: number) => number): Promise<boolean> {
    const { keys, args } = this.encode(write, shardsOf);
    const { expected, next } = write;
    const head = [
      expected.events === undefined ? '' : String(expected.events),
      expected.commands === undefined ? '' : String(expected.commands),
      next.events === undefined ? '' : String(next.events),
      next.commands === undefined ? '' : String(next.commands),
      next.clock === undefined ? '' : String(next.clock),
      write.outboxEntry,
    ];
    const ok = await this.runScript('inventoryApply', keys.length, [...keys, ...head, ...args]);
    return ok === 1;
  }

  async pendingOutbox(partition: number): Promise<string[]> {
    return this.redis.lrange(this.keys.outbox(partition), 0, -1);
  }

  async ackOutbox(partition: number, entries: string[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) pipeline.lrem(this.keys.outbox(partition), 1, entry);
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  /** Confirmed reservations due by `clock`. */
  async dueReservations(partition: number, clock: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.expiry(partition), '-inf', clock);
  }

  async loadReservations(partition: number, ids: string[]): Promise<Map<string, StoredReservation>> {
    const found = new Map<string, StoredReservation>();
    if (ids.length === 0) return found;
    const values = await this.redis.mget(...ids.map((id) => this.keys.reservation(partition, id)));
    for (const value of values) {
      if (!value) continue;
      const reservation = parseStoredReservation(value);
      found.set(reservation.reservationId, reservation);
    }
    return found;
  }

  // --- restore: a partition rebuilt from Kafka after Redis lost it (restore/restore.ts) ---

  /** Takes the partition's restore lease; false while another restorer holds it. */
  async acquireRestoreLease(partition: number, token: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.restore(partition), token, 'PX', leaseMs, 'NX')) === 'OK';
  }

  async renewRestoreLease(partition: number, token: string, leaseMs: number): Promise<boolean> {
    return (
      (await this.runScript('inventoryRenewLease', 1, [this.keys.restore(partition), token, leaseMs])) === 1
    );
  }

  /** Deletes what a restore rebuilds from scratch (the dedup shards of the given days). */
  async clearForRestore(
    partition: number,
    token: string,
    shardsByDay: Map<number, number>,
  ): Promise<boolean> {
    const keys: string[] = [];
    for (const [day, shards] of shardsByDay)
      for (let shard = 0; shard < shards; shard++) keys.push(this.keys.seen(partition, day, shard));
    keys.push(
      this.keys.seenShards(partition),
      this.keys.seenCount(partition),
      this.keys.expiry(partition),
      this.keys.outbox(partition),
    );
    for (let i = 0; i < keys.length; i += 5_000) {
      const chunk = keys.slice(i, i + 5_000);
      const ok = await this.runScript('inventoryRestoreClear', chunk.length + 1, [
        this.keys.restore(partition),
        ...chunk,
        token,
      ]);
      if (ok !== 1) return false;
    }
    return true;
  }

  /** Writes one chunk of a restored partition; false when the lease is no longer the caller's. */
  async restoreChunk(
    token: string,
    write: Omit<StepWrite, 'expected' | 'next' | 'outboxEntry'>,
    shardsOf: (day: number) => number,
  ): Promise<boolean> {
    const { keys, args } = this.encode(
      { ...write, expected: { events: undefined, commands: undefined }, next: {}, outboxEntry: '' },
      shardsOf,
    );
    keys[0] = this.keys.restore(write.partition);
    keys[1] = this.keys.offset(write.partition);
    const ok = await this.runScript('inventoryRestoreChunk', keys.length, [
      ...keys,
      token,
      '',
      '',
      '',
      '',
      '',
      ...args,
    ]);
    return ok === 1;
  }

  /** Makes a restored partition live: offsets and clock set, lease released. */
  async finishRestore(
    partition: number,
    token: string,
    progress: { events: number; commands: number | undefined; clock: number | undefined },
  ): Promise<boolean> {
    const ok = await this.runScript('inventoryRestoreFinish', 4, [
      this.keys.restore(partition),
      this.keys.offset(partition),
      this.keys.commandOffset(partition),
      this.keys.clock(partition),
      token,
      String(progress.events),
      progress.commands === undefined ? '' : String(progress.commands),
      progress.clock === undefined ? '' : String(progress.clock),
    ]);
    return ok === 1;
  }

  /**
   * The keys and arguments after the six head arguments of applyScript (see its contract):
   * hashes, assortment indexes, dedup shards, reservations and new days' shard counts.
   */
  private encode(write: StepWrite, shardsOf: (day: number) => number): Encoded {
    const { partition } = write;
    const keys = [
      this.keys.offset(partition),
      this.keys.commandOffset(partition),
      this.keys.clock(partition),
      this.keys.outbox(partition),
      this.keys.expiry(partition),
      this.keys.seenShards(partition),
      this.keys.seenCount(partition),
    ];
    const byShard = new Map<number, { key: string; expireAt: number; fields: string[] }>();
    const days = new Map<number, { shards: number; added: number }>();
    for (const { eventId, occurredAt } of write.applied) {
      const day = dedupDay(occurredAt);
      let totals = days.get(day);
      if (!totals) {
        totals = { shards: shardsOf(day), added: 0 };
        days.set(day, totals);
      }
      totals.added++;
      const { shard, field } = write.fingerprints?.get(eventId) ?? dedupFingerprint(eventId, totals.shards);
      const slot = shardSlot(day, shard);
      let entry = byShard.get(slot);
      if (!entry) {
        entry = {
          key: this.keys.seen(partition, day, shard),
          expireAt: Math.ceil(dedupDayExpiresAt(day, this.dedup.policy) / 1000),
          fields: [],
        };
        byShard.set(slot, entry);
      }
      entry.fields.push(field);
    }
    const shards = [...byShard.values()];
    const skus = [...write.skus.keys()];
    keys.push(
      ...skus.flatMap((sku) => [this.keys.sku(partition, sku), this.keys.journal(partition, sku)]),
      ...[...write.assortment.keys()].map((locationId) => this.keys.assortment(partition, locationId)),
      ...shards.map((entry) => entry.key),
      ...write.reservations.map((r) => this.keys.reservation(partition, r.reservationId)),
    );
    const oldestDay = dedupDay(write.now - this.dedup.policy.horizonMs - this.dedup.policy.graceMs) - 1;
    const args: (string | number)[] = [
      skus.length,
      write.assortment.size,
      shards.length,
      write.reservations.length,
      Math.ceil(this.reservationRetentionMs / 1000),
      days.size,
      String(oldestDay),
      totalField,
    ];
    for (const sku of skus) {
      const { locations, total, journals } = write.skus.get(sku) as SkuWrite;
      args.push(encodeStoredTotal(total));
      const count = args.push(0) - 1;
      for (const [locationId, state] of locations)
        args.push(locationField(locationId), encodeStoredLocation(state));
      args[count] = (args.length - count - 1) / 2;
      const edits = args.push(0) - 1;
      for (const [locationId, edit] of journals) args.push(locationField(locationId), edit.drop, edit.append);
      args[edits] = (args.length - edits - 1) / 3;
    }
    for (const members of write.assortment.values()) {
      args.push(members.length);
      for (const member of members) args.push(member);
    }
    for (const { expireAt, fields } of shards) {
      args.push(expireAt, fields.length);
      for (const field of fields) args.push(field);
    }
    for (const r of write.reservations) {
      const holds = isActive(r) && r.expiresAt !== null;
      args.push(
        encodeStoredReservation(r),
        r.reservationId,
        holds ? String(r.expiresAt) : '',
        isActive(r) ? '0' : '1',
      );
    }
    for (const [day, { shards: count, added }] of days) args.push(String(day), String(count), String(added));
    return { keys, args };
  }
}

/**
 * One number for a dedup day and shard (a day has at most 65 536 shards, shardsForDay): a
 * step of thousands of events groups them by it and builds each shard's key string once.
 */
const shardSlot = (day: number, shard: number) => day * 65_536 + shard;

/** Which skus each location newly holds, from changed locations that did not exist before. */
export function newAssortment(
  changed: Iterable<{ sku: string; locationId: string; isNew: boolean }>,
): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const { sku, locationId, isNew } of changed) {
    if (!isNew) continue;
    const skus = index.get(locationId) ?? [];
    skus.push(sku);
    index.set(locationId, skus);
  }
  return index;
}

/**
 * What is written of a sku: every changed location's value and the network total, and the
 * journal edits of the locations whose journal changed.
 */
export function skuWrite(
  locations: Iterable<[string, LocationState]>,
  total: SkuAvailability,
  journals: Iterable<[string, JournalEdit]> = [],
): SkuWrite {
  return { locations, total, journals };
}

/** Restored locations' whole journals, each replacing whatever is stored. */
export function replacedJournals(locations: Iterable<[string, LocationState]>): [string, JournalEdit][] {
  const edits: [string, JournalEdit][] = [];
  for (const [locationId, state] of locations)
    if (state.journal && state.journal.length > 0)
      edits.push([locationId, { drop: -1, append: encodeJournal(state.journal) }]);
  return edits;
}
