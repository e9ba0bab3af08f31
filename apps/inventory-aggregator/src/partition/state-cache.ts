import type { SkuAvailability } from '@inventory/codec';
import type { StoredSku } from '@inventory/read-model';
import type { LocationState, SkuState } from '../fold/fold.ts';
import type { StepChanges } from '../steps/changes.ts';

interface CachedSku {
  total: SkuAvailability | undefined;
  locations: Map<string, LocationState>;
  /** Locations whose state is known: held (in `locations`) or known to hold nothing. */
  known: Set<string>;
}

/** What a step touches, split into what the cache holds and what must be read from Redis. */
export interface Lookup {
  /** The touched locations the cache holds, per sku (copies: the fold may change them). */
  state: Map<string, SkuState>;
  totals: Map<string, SkuAvailability | undefined>;
  /** Per sku, the touched locations to read (with the sku's total). */
  missing: Map<string, Set<string>>;
  /** Touched location x sku states the cache answered, and those left to read. */
  fromCache: number;
  toRead: number;
}

/**
 * The partition's state as its runner last committed it, for the skus it touched most
 * recently: least recently used skus are dropped while it knows more than `maxStates`
 * location x sku states. The bound counts states, not skus: a sku held at 500 stores costs
 * 500 times what a sku at one does, and a bound in skus would let a wide assortment take the
 * process' whole heap. The runner is the only writer of its partition while it owns it and
 * every write goes through Redis first, so a step reads from Redis only what this cache does
 * not hold; on anything unexpected (a refused or failed step, Redis going back in time, a
 * restore) the runner clears it.
 */
export class StateCache {
  private readonly skus = new Map<string, CachedSku>();
  /** Sum of the cached skus' known locations. */
  private known = 0;

  constructor(private readonly maxStates: number) {}

  /** Skus held. */
  get size(): number {
    return this.skus.size;
  }

  /** Location x sku states known: held, or known to hold nothing. */
  get states(): number {
    return this.known;
  }

  lookup(touched: Map<string, Set<string>>): Lookup {
    const lookup: Lookup = {
      state: new Map(),
      totals: new Map(),
      missing: new Map(),
      fromCache: 0,
      toRead: 0,
    };
    for (const [sku, locations] of touched) {
      const cached = this.skus.get(sku);
      if (cached) this.use(sku, cached);
      const held: SkuState = new Map();
      let unknown: Set<string> | undefined;
      for (const locationId of locations) {
        if (!cached?.known.has(locationId)) {
          unknown ??= new Set();
          unknown.add(locationId);
          lookup.toRead++;
          continue;
        }
        lookup.fromCache++;
        const state = cached.locations.get(locationId);
        if (state) held.set(locationId, state);
      }
      lookup.state.set(sku, held);
      if (unknown) lookup.missing.set(sku, unknown);
      else lookup.totals.set(sku, cached?.total);
    }
    return lookup;
  }

  /** Adds what was read for `missing` to the step's lookup and to the cache. */
  remember(lookup: Lookup, read: Map<string, StoredSku>): void {
    for (const [sku, locations] of lookup.missing) {
      const stored = read.get(sku);
      const held = lookup.state.get(sku) ?? new Map();
      lookup.state.set(sku, held);
      lookup.totals.set(sku, stored?.total);
      const cached = this.entry(sku);
      cached.total = stored?.total;
      for (const locationId of locations) {
        const state = stored?.locations.get(locationId);
        this.know(cached, locationId);
        if (state) {
          held.set(locationId, state);
          cached.locations.set(locationId, state);
        }
      }
    }
    this.evict();
  }

  /** A committed step's new totals and locations. */
  commit(changes: StepChanges): void {
    for (const [sku, change] of changes.skus) {
      const cached = this.entry(sku);
      cached.total = change.total;
      for (const [locationId, state] of change.locations) {
        cached.locations.set(locationId, state);
        this.know(cached, locationId);
      }
    }
    this.evict();
  }

  clear(): void {
    this.skus.clear();
    this.known = 0;
  }

  private know(cached: CachedSku, locationId: string): void {
    if (cached.known.has(locationId)) return;
    cached.known.add(locationId);
    this.known++;
  }

  private entry(sku: string): CachedSku {
    let cached = this.skus.get(sku);
    if (!cached) {
      cached = { total: undefined, locations: new Map(), known: new Set() };
      this.skus.set(sku, cached);
    } else this.use(sku, cached);
    return cached;
  }

  /** Most recently used last: Map keeps insertion order. */
  private use(sku: string, cached: CachedSku): void {
    this.skus.delete(sku);
    this.skus.set(sku, cached);
  }

  private evict(): void {
    for (const [sku, cached] of this.skus) {
      if (this.known <= this.maxStates) return;
      this.skus.delete(sku);
      this.known -= cached.known.size;
    }
  }
}
