import type { SkuAvailability } from '@inventory/codec';
import {
  KeyLayout,
  locationField,
  partitionOf,
  type StoredLocation,
  totalField,
} from '@inventory/read-model';
import type { Redis } from 'ioredis';
import type { StoredSku } from './views.ts';

export interface AssortmentPage {
  items: { sku: string; state: StoredLocation }[];
  /** The last sku of this page when more follow; the next page starts after it. */
  next: string | undefined;
}

/** Reads of the aggregator's Redis read model (layout: @inventory/read-model). */
export class ReadModel {
  private readonly keys: KeyLayout;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly partitions: number,
  ) {
    this.keys = new KeyLayout(prefix);
  }

  private skuKey(sku: string): string {
    return this.keys.sku(partitionOf(sku, this.partitions), sku);
  }

  async sku(sku: string): Promise<StoredSku | undefined> {
    return parseSku(await this.redis.hgetall(this.skuKey(sku)));
  }

  async skus(skus: string[]): Promise<(StoredSku | undefined)[]> {
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hgetall(this.skuKey(sku));
    return ((await pipeline.exec()) ?? []).map(([error, hash]) => {
      if (error) throw error;
      return parseSku(hash as Record<string, string>);
    });
  }

  /** Only the network totals: one field per sku instead of every location's. */
  async totals(skus: string[]): Promise<(SkuAvailability | undefined)[]> {
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hget(this.skuKey(sku), totalField);
    return ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value === null ? undefined : (JSON.parse(value as string) as SkuAvailability);
    });
  }

  /**
   * Since when each sku is discontinued (ISO), undefined where it is not: master data the
   * reconciliation job keeps beside the stock state.
   */
  async discontinued(skus: string[]): Promise<(string | undefined)[]> {
    const values = await this.redis.hmget(this.keys.discontinued(), ...skus);
    return values.map((value) => value ?? undefined);
  }

  async location(sku: string, locationId: string): Promise<StoredLocation | undefined> {
    const value = await this.redis.hget(this.skuKey(sku), locationField(locationId));
    return value === null ? undefined : (JSON.parse(value) as StoredLocation);
  }

  /**
   * A location's skus in sku order, after `cursor`: each partition's index is read from the
   * cursor on, the candidates merged, and the first `limit` kept. Stable: a page depends only
   * on the cursor, never on an offset that shifts when skus are added.
   */
  async assortment(locationId: string, cursor: string | undefined, limit: number): Promise<AssortmentPage> {
    const start = cursor === undefined ? '-' : `(${cursor}`;
    const pipeline = this.redis.pipeline();
    for (let p = 0; p < this.partitions; p++) {
      pipeline.zrangebylex(this.keys.assortment(p, locationId), start, '+', 'LIMIT', 0, limit + 1);
    }
    const candidates: string[] = [];
    for (const [error, skus] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      candidates.push(...(skus as string[]));
    }
    candidates.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const page = candidates.slice(0, limit);
    const states = page.length > 0 ? await this.states(page, locationId) : [];
    const items = page.flatMap((sku, i) => (states[i] ? [{ sku, state: states[i] as StoredLocation }] : []));
    return { items, next: candidates.length > limit ? page.at(-1) : undefined };
  }

  private async states(skus: string[], locationId: string): Promise<(StoredLocation | undefined)[]> {
    const pipeline = this.redis.pipeline();
    for (const sku of skus) pipeline.hget(this.skuKey(sku), locationField(locationId));
    return ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value === null ? undefined : (JSON.parse(value as string) as StoredLocation);
    });
  }
}

function parseSku(hash: Record<string, string>): StoredSku | undefined {
  const fields = Object.entries(hash);
  if (fields.length === 0) return undefined;
  const locations = new Map<string, StoredLocation>();
  let total: SkuAvailability | undefined;
  for (const [field, value] of fields) {
    if (field === totalField) total = JSON.parse(value) as SkuAvailability;
    else if (field.startsWith('l:')) locations.set(field.slice(2), JSON.parse(value) as StoredLocation);
  }
  return { total, locations };
}
