import type { SkuAvailability } from '@inventory/codec';
import type { Cluster, Redis } from 'ioredis';
import { KeyLayout, locationField, totalField } from './keys.ts';
import type { PeerPart } from './network.ts';
import { partitionOf } from './partition.ts';
import {
  parseStoredLocation,
  parseStoredReservation,
  parseStoredTotal,
  type StoredLocation,
  type StoredReservation,
} from './stored.ts';

/** What the read model holds for one sku: its network total and every location. */
export interface StoredSku {
  total: SkuAvailability | undefined;
  locations: Map<string, StoredLocation>;
}

/**
 * A sku's total and the named locations (with their journals) from what HMGET answers: `hash`
 * holds the total field then one field per location (`locationField`), `journals` one field per
 * location, in the order of `locations`. The aggregator reads what a step touched this way
 * (its store's read script sends those HMGETs); a missing field is no state.
 */
export function touchedSku(
  sku: string,
  locations: readonly string[],
  hash: readonly (string | null)[],
  journals: readonly (string | null)[],
): StoredSku {
  const found = new Map<string, StoredLocation>();
  locations.forEach((locationId, j) => {
    const value = hash[j + 1];
    if (value) found.set(locationId, parseStoredLocation(value, journals[j]));
  });
  const total = hash[0];
  return { total: total ? parseStoredTotal(sku, total) : undefined, locations: found };
}

export interface AssortmentPage {
  items: { sku: string; state: StoredLocation }[];
  /** The last sku of this page when more follow; the next page starts after it. */
  next: string | undefined;
}

/** A single Redis or a Redis Cluster: the read model is laid out for both. */
export type RedisClient = Redis | Cluster;

/**
 * A sku's hash as Redis' HGETALL answers it, `[field, value, field, value, ...]` (hashAll),
 * parsed with its journals' hash where they were read; undefined when the sku has no state.
 */
export function parseStoredSku(
  sku: string,
  hash: readonly string[],
  journals?: readonly string[],
): StoredSku | undefined {
  if (hash.length === 0) return undefined;
  const journalOf = journals && journals.length > 0 ? pairs(journals) : undefined;
  const locations = new Map<string, StoredLocation>();
  let total: SkuAvailability | undefined;
  for (let i = 0; i < hash.length; i += 2) {
    const field = hash[i] as string;
    const value = hash[i + 1] as string;
    if (field === totalField) total = parseStoredTotal(sku, value);
    else locations.set(field, parseStoredLocation(value, journalOf?.get(field)));
  }
  return { total, locations };
}

function pairs(flat: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) map.set(flat[i] as string, flat[i + 1] as string);
  return map;
}

/** A Redis command as sent: its name and arguments. */
type Command = [name: string, ...args: (string | number)[]];

/**
 * HGETALL with Redis' own answer, a flat array of fields and values. ioredis' `hgetall`
 * rebuilds it as an object, field by field, and reading that back cost more than parsing
 * the 50-200 locations of a sku. ioredis finds its reply transformers by the exact
 * command name (`hgetall`); the name in capitals, which Redis and ioredis' cluster routing
 * read without regard to case, is answered as Redis sent it. The read model's tests against
 * a real Redis and a real Redis Cluster hold ioredis to that.
 */
const hashAll = (key: string): Command => ['HGETALL', key];

/** hashAll's reply; an ioredis that transformed it after all fails here, not with empty answers. */
function flatHash(reply: unknown): string[] {
  if (!Array.isArray(reply)) throw new Error(`HGETALL answered ${typeof reply}, not Redis' flat array`);
  return reply as string[];
}

function reply([error, value]: [Error | null, unknown]): unknown {
  if (error) throw error;
  return value;
}

/**
 * The one way to read the read model: the aggregator (reading what it folds onto), the
 * query API, the reconciliation job and the tests all read through it, with the stored
 * values' parsers of stored.ts. Methods named `...In` take the input partition, for the
 * aggregator, which knows it; the others find a sku's partition as producers key it.
 * Commands go out pipelined, one pipeline per partition (one Redis Cluster slot: a pipeline
 * must stay on one node), the partitions' pipelines at once; a partition's lone command
 * goes out as it is.
 */
export class ReadModelReader {
  readonly keys: KeyLayout;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    /** The input topic's partition count: it maps a sku to its partition's keys. */
    readonly partitions: number,
  ) {
    this.keys = new KeyLayout(prefix, partitions);
  }

  partitionOf(sku: string): number {
    return partitionOf(sku, this.partitions);
  }

  /**
   * Runs `commands`' commands for every item, pipelined per partition, and gives each item
   * its replies in the order of its commands. A partition with one command sends it alone:
   * a read of one sku is most of the query API's traffic, and an ioredis Pipeline costs more
   * to build than the command it would carry.
   */
  private async perPartition<T>(
    items: readonly T[],
    partition: (item: T) => number,
    /** An item's commands; `partition` is the item's, as `partition` gave it. */
    commands: (item: T, partition: number) => Command[],
  ): Promise<unknown[][]> {
    if (items.length === 1) {
      const item = items[0] as T;
      return [await this.send(commands(item, partition(item)))];
    }
    const groups = new Map<number, number[]>();
    items.forEach((item, i) => {
      const p = partition(item);
      const group = groups.get(p);
      if (group) group.push(i);
      else groups.set(p, [i]);
    });
    const results: unknown[][] = new Array(items.length);
    await Promise.all(
      [...groups].map(async ([p, indexes]) => {
        const batch = indexes.map((i) => commands(items[i] as T, p));
        const all = batch.flat();
        const replies = await this.send(all);
        let next = 0;
        indexes.forEach((i, j) => {
          const count = (batch[j] as Command[]).length;
          results[i] = replies.slice(next, next + count);
          next += count;
        });
      }),
    );
    return results;
  }

  /** The replies of commands of one slot, in their order; the first error is thrown. */
  private async send(commands: Command[]): Promise<unknown[]> {
    if (commands.length === 1) {
      const [name, ...args] = commands[0] as Command;
      return [await this.redis.call(name, ...args)];
    }
    const pipeline = this.redis.pipeline();
    for (const [name, ...args] of commands) pipeline.call(name, ...args);
    return ((await pipeline.exec()) ?? []).map(reply);
  }

  /** Every location (with its journal) and the total of each sku of one partition. */
  async skusIn(partition: number, skus: string[]): Promise<(StoredSku | undefined)[]> {
    const replies = await this.perPartition(
      skus,
      () => partition,
      (sku) => [hashAll(this.keys.sku(partition, sku)), hashAll(this.keys.journal(partition, sku))],
    );
    return skus.map((sku, i) => {
      const [hash, journals] = replies[i] as [unknown, unknown];
      return parseStoredSku(sku, flatHash(hash), flatHash(journals));
    });
  }

  async sku(sku: string): Promise<StoredSku | undefined> {
    const [stored] = await this.skus([sku]);
    return stored;
  }

  /** Every location (without journals) and the total of each sku. */
  async skus(skus: string[]): Promise<(StoredSku | undefined)[]> {
    const replies = await this.perPartition(
      skus,
      (sku) => this.partitionOf(sku),
      (sku, partition) => [hashAll(this.keys.sku(partition, sku))],
    );
    return skus.map((sku, i) => parseStoredSku(sku, flatHash((replies[i] as unknown[])[0])));
  }

  /** Only the network totals: one field per sku instead of every location's. */
  async totals(skus: string[]): Promise<(SkuAvailability | undefined)[]> {
    const replies = await this.perPartition(
      skus,
      (sku) => this.partitionOf(sku),
      (sku, partition) => [['hget', this.keys.sku(partition, sku), totalField]],
    );
    return skus.map((sku, i) => {
      const value = (replies[i] as [string | null])[0];
      return value === null ? undefined : parseStoredTotal(sku, value);
    });
  }

  /** One location x sku per item; `journals`: with their count journals (the reconciliation's comparison). */
  async locations(
    items: { sku: string; locationId: string }[],
    options: { journals?: boolean } = {},
  ): Promise<(StoredLocation | undefined)[]> {
    const replies = await this.perPartition(
      items,
      ({ sku }) => this.partitionOf(sku),
      ({ sku, locationId }, partition) => [
        ['hget', this.keys.sku(partition, sku), locationField(locationId)],
        ...(options.journals
          ? [['hget', this.keys.journal(partition, sku), locationField(locationId)] as Command]
          : []),
      ],
    );
    return items.map((_, i) => {
      const [value, journal] = replies[i] as [string | null, (string | null)?];
      return value === null ? undefined : parseStoredLocation(value, journal);
    });
  }

  /**
   * Each sku's copies of other data centres' locations (network.ts), one part per data centre
   * named, in that order; a data centre holding none of the sku gives an empty part.
   */
  async peers(skus: string[], dataCentres: readonly string[]): Promise<PeerPart[][]> {
    if (dataCentres.length === 0) return skus.map(() => []);
    const replies = await this.perPartition(
      skus,
      (sku) => this.partitionOf(sku),
      (sku, partition) => dataCentres.map((dc) => hashAll(this.keys.peerSku(partition, dc, sku))),
    );
    return skus.map((_, i) =>
      dataCentres.map((dataCentre, j) => {
        const hash = flatHash((replies[i] as unknown[])[j]);
        const locations = new Map<string, StoredLocation>();
        for (let k = 0; k < hash.length; k += 2)
          locations.set(hash[k] as string, parseStoredLocation(hash[k + 1] as string));
        return { dataCentre, locations };
      }),
    );
  }

  /** The newest heartbeat time that arrived from each other data centre (keys.ts, peer-clock). */
  async peerClock(): Promise<Map<string, number>> {
    const hash = await this.redis.hgetall(this.keys.peerClock());
    return new Map(Object.entries(hash).map(([dc, time]) => [dc, Number(time)]));
  }

  async location(sku: string, locationId: string): Promise<StoredLocation | undefined> {
    const [state] = await this.locations([{ sku, locationId }]);
    return state;
  }

  /**
   * Since when each sku is discontinued (ISO), undefined where it is not: master data the
   * reconciliation job keeps beside the stock state.
   */
  async discontinued(skus: string[]): Promise<(string | undefined)[]> {
    if (skus.length === 0) return [];
    const values = await this.redis.hmget(this.keys.discontinued(), ...skus);
    return values.map((value) => value ?? undefined);
  }

  /**
   * A location's skus in sku order, after `cursor`: each partition's index is read from the
   * cursor on, the candidates merged, and the first `limit` kept. Stable: a page depends only
   * on the cursor, never on an offset that shifts when skus are added.
   */
  async assortment(locationId: string, cursor: string | undefined, limit: number): Promise<AssortmentPage> {
    const start = cursor === undefined ? '-' : `(${cursor}`;
    const partitions = Array.from({ length: this.partitions }, (_, p) => p);
    const replies = await this.perPartition(
      partitions,
      (p) => p,
      (p) => [['zrangebylex', this.keys.assortment(p, locationId), start, '+', 'LIMIT', 0, limit + 1]],
    );
    const candidates = replies.flatMap(([skus]) => skus as string[]);
    candidates.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const page = candidates.slice(0, limit);
    const states = await this.locations(page.map((sku) => ({ sku, locationId })));
    const items = page.flatMap((sku, i) => {
      const state = states[i];
      return state ? [{ sku, state }] : [];
    });
    return { items, next: candidates.length > limit ? page.at(-1) : undefined };
  }

  /** The reservation `reservationId` of the sku's partition, or undefined. */
  async reservation(sku: string, reservationId: string): Promise<StoredReservation | undefined> {
    const value = await this.redis.get(this.keys.reservation(this.partitionOf(sku), reservationId));
    return value === null ? undefined : parseStoredReservation(value);
  }

  /** The next input offset partition p applies (undefined: Redis holds nothing of p). */
  async nextOffset(partition: number): Promise<number | undefined> {
    const value = await this.redis.get(this.keys.offset(partition));
    return value === null ? undefined : Number(value);
  }

  /** Output batches of partition p written to Redis and not yet published to Kafka. */
  outboxLength(partition: number): Promise<number> {
    return this.redis.llen(this.keys.outbox(partition));
  }

  /** Every sku of every partition (SCAN): for checks over a whole test deployment, not for serving. */
  async *scanSkus(): AsyncGenerator<{ sku: string; stored: StoredSku }> {
    for await (const key of scanKeys(this.redis, `${this.keys.prefix}:*:sku:*`)) {
      const sku = key.slice(key.indexOf(':sku:') + 5);
      const stored = parseStoredSku(sku, flatHash(await this.redis.call(...hashAll(key))));
      if (stored) yield { sku, stored };
    }
  }

  /** Every location's assortment merged over the partitions (SCAN): for checks, not for serving. */
  async assortments(): Promise<Map<string, string[]>> {
    const index = new Map<string, string[]>();
    for await (const key of scanKeys(this.redis, `${this.keys.prefix}:*:loc:*`)) {
      const locationId = key.slice(key.indexOf(':loc:') + 5);
      index.set(
        locationId,
        [...(index.get(locationId) ?? []), ...(await this.redis.zrange(key, 0, -1))].sort(),
      );
    }
    return index;
  }
}

/**
 * Every key matching `pattern` (SCAN, on every primary of a cluster): for checks and
 * clean-ups, never on a request's path.
 */
export async function* scanKeys(redis: RedisClient, pattern: string): AsyncGenerator<string> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      yield* found;
    } while (cursor !== '0');
  }
}
