import type { SkuAvailability, StockLevel } from '@inventory/codec';
import { KeyLayout, locationField, totalField } from '@inventory/read-model';
import type { Redis } from 'ioredis';
import type { LocationState, SkuState } from '../fold/fold.ts';
import { applyScript } from './apply.lua.ts';

export interface Outputs {
  stock: StockLevel[];
  availability: SkuAvailability[];
}

export interface Commit {
  partition: number;
  expectedOffset: number;
  /** The reservation commands' offset this step saw (undefined: none applied yet). */
  expectedCommandOffset: number | undefined;
  nextOffset: number;
  /** Changed skus: their hash fields (locations and total) to write. */
  hashes: Map<string, Record<string, string>>;
  eventIds: string[];
}

export interface DedupPolicy {
  /** How long an applied eventId is remembered (documented horizon). */
  horizonMs: number;
  bucketMs: number;
}

/** The read model and the aggregator's own progress, in Redis. */
export class RedisStore {
  readonly keys: KeyLayout;

  constructor(
    readonly redis: Redis,
    prefix: string,
    private readonly dedup: DedupPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = new KeyLayout(prefix);
    redis.defineCommand('inventoryApply', { lua: applyScript });
  }

  async offset(partition: number): Promise<number | undefined> {
    const value = await this.redis.get(this.keys.offset(partition));
    return value === null ? undefined : Number(value);
  }

  /** Next offsets to apply of both inputs of a partition: events and reservation commands. */
  async offsets(partition: number): Promise<{ events: number | undefined; commands: number | undefined }> {
    const [events, commands] = await this.redis.mget(
      this.keys.offset(partition),
      this.keys.commandOffset(partition),
    );
    return {
      events: events === null || events === undefined ? undefined : Number(events),
      commands: commands === null || commands === undefined ? undefined : Number(commands),
    };
  }

  /** Current state of `skus`, read in one round trip. */
  async load(partition: number, skus: string[]): Promise<Map<string, SkuState>> {
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hgetall(this.keys.sku(partition, sku));
    const replies = (await pipeline.exec()) ?? [];
    const state = new Map<string, SkuState>();
    skus.forEach((sku, i) => {
      const [error, hash] = replies[i] ?? [null, {}];
      if (error) throw error;
      const locations: SkuState = new Map();
      for (const [field, value] of Object.entries(hash as Record<string, string>)) {
        if (field.startsWith('l:')) locations.set(field.slice(2), JSON.parse(value) as LocationState);
      }
      state.set(sku, locations);
    });
    return state;
  }

  /**
   * The total and the named locations of each sku, one HMGET per sku in one round trip.
   * Every write of a sku writes its total, so a sku without one holds no location yet.
   */
  async loadTouched(
    partition: number,
    touched: Map<string, Set<string>>,
  ): Promise<{ state: Map<string, SkuState>; totals: Map<string, SkuAvailability | undefined> }> {
    const pipeline = this.redis.pipeline();
    const order = [...touched];
    for (const [sku, locations] of order) {
      pipeline.hmget(this.keys.sku(partition, sku), totalField, ...[...locations].map(locationField));
    }
    const replies = (await pipeline.exec()) ?? [];
    const state = new Map<string, SkuState>();
    const totals = new Map<string, SkuAvailability | undefined>();
    order.forEach(([sku, locations], i) => {
      const [error, values] = replies[i] ?? [null, []];
      if (error) throw error;
      const [total, ...fields] = values as (string | null)[];
      totals.set(sku, total ? (JSON.parse(total) as SkuAvailability) : undefined);
      const skuState: SkuState = new Map();
      [...locations].forEach((locationId, j) => {
        const value = fields[j];
        if (value) skuState.set(locationId, JSON.parse(value) as LocationState);
      });
      state.set(sku, skuState);
    });
    return { state, totals };
  }

  private buckets(): number[] {
    const current = Math.floor(this.now() / this.dedup.bucketMs);
    const count = Math.ceil(this.dedup.horizonMs / this.dedup.bucketMs);
    return Array.from({ length: count + 1 }, (_, i) => current - i);
  }

  /** Which of `eventIds` were applied within the horizon. */
  async seen(partition: number, eventIds: string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const pipeline = this.redis.pipeline();
    for (const bucket of this.buckets()) pipeline.smismember(this.keys.seen(partition, bucket), ...eventIds);
    const found = new Set<string>();
    for (const [error, flags] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      (flags as number[]).forEach((flag, i) => {
        if (flag === 1) found.add(eventIds[i] as string);
      });
    }
    return found;
  }

  /** The atomic apply; false when the stored offset moved (another writer, or a wipe). */
  async commit(commit: Commit, outboxEntry: string): Promise<boolean> {
    const { partition } = commit;
    const skus = [...commit.hashes.keys()];
    const index = assortments(commit.hashes);
    const keys = [
      this.keys.offset(partition),
      this.keys.outbox(partition),
      this.keys.seen(partition, this.buckets()[0] as number),
      this.keys.commandOffset(partition),
      ...skus.map((sku) => this.keys.sku(partition, sku)),
      ...[...index.keys()].map((locationId) => this.keys.assortment(partition, locationId)),
    ];
    const args: (string | number)[] = [
      String(commit.expectedOffset),
      String(commit.nextOffset),
      Math.ceil((this.dedup.horizonMs + this.dedup.bucketMs) / 1000),
      outboxEntry,
      skus.length,
      commit.eventIds.length,
      commit.expectedCommandOffset === undefined ? '' : String(commit.expectedCommandOffset),
      ...commit.eventIds,
    ];
    for (const sku of skus) {
      const fields = Object.entries(commit.hashes.get(sku) ?? {});
      args.push(fields.length);
      for (const [field, value] of fields) args.push(field, value);
    }
    for (const members of index.values()) {
      args.push(members.length);
      for (const member of members) args.push(member);
    }
    // One array argument (ioredis flattens it): spreading a batch's hundreds of thousands of
    // arguments into a call would overflow the stack.
    const [ok] = (await (
      this.redis as unknown as {
        inventoryApply(n: number, a: (string | number)[]): Promise<[number, string]>;
      }
    ).inventoryApply(keys.length, [...keys, ...args])) as [number, string];
    return ok === 1;
  }

  async pendingOutbox(partition: number): Promise<string[]> {
    return this.redis.lrange(this.keys.outbox(partition), 0, -1);
  }

  async ackOutbox(partition: number, entry: string): Promise<void> {
    await this.redis.lrem(this.keys.outbox(partition), 1, entry);
  }

  /** Writes a partition rebuilt from the compacted topics; the offset is set last, in one MULTI. */
  async restore(
    partition: number,
    nextOffset: number,
    hashes: Map<string, Record<string, string>>,
    eventIds: string[],
    commandsOffset: number,
  ) {
    const multi = this.redis.multi();
    for (const [sku, fields] of hashes) multi.hset(this.keys.sku(partition, sku), fields);
    for (const [locationId, skus] of assortments(hashes)) {
      multi.zadd(this.keys.assortment(partition, locationId), ...skus.flatMap((sku) => [0, sku]));
    }
    const seenKey = this.keys.seen(partition, this.buckets()[0] as number);
    for (let i = 0; i < eventIds.length; i += 1000) multi.sadd(seenKey, ...eventIds.slice(i, i + 1000));
    if (eventIds.length > 0)
      multi.expire(seenKey, Math.ceil((this.dedup.horizonMs + this.dedup.bucketMs) / 1000));
    multi.set(this.keys.commandOffset(partition), String(commandsOffset));
    multi.set(this.keys.offset(partition), String(nextOffset));
    await multi.exec();
  }
}

/** Which skus each location holds, from the `l:<locationId>` fields of the sku hashes. */
export function assortments(hashes: Map<string, Record<string, string>>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const [sku, fields] of hashes) {
    for (const field of Object.keys(fields)) {
      if (!field.startsWith('l:')) continue;
      const locationId = field.slice(2);
      const skus = index.get(locationId) ?? [];
      skus.push(sku);
      index.set(locationId, skus);
    }
  }
  return index;
}

/** Hash fields of a sku: every changed location, and the network total. */
export function hashFields(
  locations: Map<string, LocationState>,
  total: SkuAvailability,
): Record<string, string> {
  const fields: Record<string, string> = { [totalField]: JSON.stringify(total) };
  for (const [locationId, state] of locations) fields[locationField(locationId)] = JSON.stringify(state);
  return fields;
}
