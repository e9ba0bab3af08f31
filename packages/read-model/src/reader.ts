import type { SkuAvailability } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import type { Redis } from 'ioredis';
import { KeyLayout, locationField, totalField } from './keys.ts';
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

export interface AssortmentPage {
  items: { sku: string; state: StoredLocation }[];
  /** The last sku of this page when more follow; the next page starts after it. */
  next: string | undefined;
}

/** A sku's hash as HGETALL returns it, parsed; undefined when the sku has no state. */
export function parseStoredSku(hash: Record<string, string>): StoredSku | undefined {
  const fields = Object.entries(hash);
  if (fields.length === 0) return undefined;
  const locations = new Map<string, StoredLocation>();
  let total: SkuAvailability | undefined;
  for (const [field, value] of fields) {
    if (field === totalField) total = parseStoredTotal(value);
    else if (field.startsWith('l:')) locations.set(field.slice(2), parseStoredLocation(value));
  }
  return { total, locations };
}

type Reply = [Error | null, unknown];

function replies(results: Reply[] | null): unknown[] {
  return (results ?? []).map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

/**
 * The one way to read the read model: the aggregator (reading what it folds onto), the
 * query API, the reconciliation job and the tests all read through it, with the stored
 * values' parsers of stored.ts. Methods named `...In` take the input partition, for the
 * aggregator, which knows it; the others find a sku's partition as producers key it.
 */
export class ReadModelReader {
  readonly keys: KeyLayout;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    /**
     * The input topic's partition count: it maps a sku to its `{p<n>}` keys. The aggregator,
     * which reads only by partition (the `...In` methods), gives none.
     */
    private readonly partitionCount?: number,
  ) {
    this.keys = new KeyLayout(prefix);
  }

  get partitions(): number {
    if (this.partitionCount === undefined)
      throw new InventoryError(
        'CONFIG_INVALID',
        'this reader reads by partition: it was given no partition count',
      );
    return this.partitionCount;
  }

  partitionOf(sku: string): number {
    return partitionOf(sku, this.partitions);
  }

  private skuKey(sku: string): string {
    return this.keys.sku(this.partitionOf(sku), sku);
  }

  /** Every location and the total of each sku of one partition, in one round trip. */
  async skusIn(partition: number, skus: string[]): Promise<(StoredSku | undefined)[]> {
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hgetall(this.keys.sku(partition, sku));
    return replies(await pipeline.exec()).map((hash) => parseStoredSku(hash as Record<string, string>));
  }

  /**
   * The total and the named locations of each sku of one partition, one HMGET per sku in
   * one round trip: what a batch touched, without the sku's other locations.
   */
  async locationsIn(partition: number, wanted: Map<string, Set<string>>): Promise<Map<string, StoredSku>> {
    const order = [...wanted];
    const pipeline = this.redis.pipeline();
    for (const [sku, locations] of order)
      pipeline.hmget(this.keys.sku(partition, sku), totalField, ...[...locations].map(locationField));
    const values = replies(await pipeline.exec());
    return new Map(
      order.map(([sku, locations], i) => {
        const [total, ...fields] = values[i] as (string | null)[];
        const found = new Map<string, StoredLocation>();
        [...locations].forEach((locationId, j) => {
          const value = fields[j];
          if (value) found.set(locationId, parseStoredLocation(value));
        });
        return [sku, { total: total ? parseStoredTotal(total) : undefined, locations: found }];
      }),
    );
  }

  sku(sku: string): Promise<StoredSku | undefined> {
    return this.redis.hgetall(this.skuKey(sku)).then(parseStoredSku);
  }

  async skus(skus: string[]): Promise<(StoredSku | undefined)[]> {
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hgetall(this.skuKey(sku));
    return replies(await pipeline.exec()).map((hash) => parseStoredSku(hash as Record<string, string>));
  }

  /** Only the network totals: one field per sku instead of every location's. */
  async totals(skus: string[]): Promise<(SkuAvailability | undefined)[]> {
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hget(this.skuKey(sku), totalField);
    return replies(await pipeline.exec()).map((value) =>
      value === null ? undefined : parseStoredTotal(value as string),
    );
  }

  /** One location x sku per item, in one round trip. */
  async locations(items: { sku: string; locationId: string }[]): Promise<(StoredLocation | undefined)[]> {
    const pipeline = this.redis.pipeline();
    for (const { sku, locationId } of items) pipeline.hget(this.skuKey(sku), locationField(locationId));
    return replies(await pipeline.exec()).map((value) =>
      value === null ? undefined : parseStoredLocation(value as string),
    );
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
    const pipeline = this.redis.pipeline();
    for (let p = 0; p < this.partitions; p++)
      pipeline.zrangebylex(this.keys.assortment(p, locationId), start, '+', 'LIMIT', 0, limit + 1);
    const candidates = replies(await pipeline.exec()).flatMap((skus) => skus as string[]);
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
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.keys.prefix}:*:sku:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      for (const key of found) {
        const stored = parseStoredSku(await this.redis.hgetall(key));
        if (stored) yield { sku: key.slice(key.indexOf(':sku:') + 5), stored };
      }
    } while (cursor !== '0');
  }

  /** Every location's assortment merged over the partitions (SCAN): for checks, not for serving. */
  async assortments(): Promise<Map<string, string[]>> {
    const index = new Map<string, string[]>();
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(
        cursor,
        'MATCH',
        `${this.keys.prefix}:*:loc:*`,
        'COUNT',
        1000,
      );
      cursor = next;
      for (const key of found) {
        const locationId = key.slice(key.indexOf(':loc:') + 5);
        index.set(
          locationId,
          [...(index.get(locationId) ?? []), ...(await this.redis.zrange(key, 0, -1))].sort(),
        );
      }
    } while (cursor !== '0');
    return index;
  }
}
