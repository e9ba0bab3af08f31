import type { InventoryEventType } from '@inventory/codec';

/** The size of a retail network and its day. */
export interface Profile {
  name: string;
  stores: number;
  warehouses: number;
  distributionCentres: number;
  regions: number;
  skus: number;
  /** Zipf exponent of sku popularity: 0 uniform, about 1 retail-like. */
  zipf: number;
  events: number;
}

export const profiles: Record<string, Profile> = {
  small: {
    name: 'small',
    stores: 12,
    warehouses: 2,
    distributionCentres: 1,
    regions: 3,
    skus: 300,
    zipf: 1,
    events: 20_000,
  },
  large: {
    name: 'large',
    stores: 500,
    warehouses: 20,
    distributionCentres: 4,
    regions: 8,
    skus: 50_000,
    zipf: 1.05,
    events: 3_000_000,
  },
};

export interface NetworkLocation {
  locationId: string;
  kind: 'STORE' | 'WAREHOUSE' | 'DISTRIBUTION_CENTRE';
  region: string;
}

/** A generated event, in the shape POST /v1/events takes. */
export interface LoadEvent {
  eventId: string;
  type: InventoryEventType;
  sku: string;
  locationId: string;
  quantity: number;
  occurredAt: string;
}

/** A reproducible pseudo-random stream (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s. */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / (k + 1) ** s;
    cumulative[k] = sum;
  }
  return () => {
    const target = random() * sum;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

export function network(profile: Profile): NetworkLocation[] {
  const region = (i: number) => `region-${(i % profile.regions) + 1}`;
  return [
    ...Array.from({ length: profile.stores }, (_, i) => ({
      locationId: `LG-STORE-${String(i + 1).padStart(4, '0')}`,
      kind: 'STORE' as const,
      region: region(i),
    })),
    ...Array.from({ length: profile.warehouses }, (_, i) => ({
      locationId: `LG-WH-${String(i + 1).padStart(3, '0')}`,
      kind: 'WAREHOUSE' as const,
      region: region(i),
    })),
    ...Array.from({ length: profile.distributionCentres }, (_, i) => ({
      locationId: `LG-DC-${String(i + 1).padStart(2, '0')}`,
      kind: 'DISTRIBUTION_CENTRE' as const,
      region: region(i),
    })),
  ];
}

/**
 * A day of a retail network, reproducible from the seed: mostly store sales of popular skus,
 * returns, receipts at warehouses and stores, transfers as two legs (out at the sender, in at
 * the receiver), adjustments and cycle counts. Event times only grow, so the platform's
 * result equals a plain fold in this order whatever the batching, as long as each sku's
 * events are delivered in order.
 */
export function* generate(
  profile: Profile,
  seed: number,
  options: { count?: number; startAt?: number; prefix?: string } = {},
) {
  const count = options.count ?? profile.events;
  const startAt = options.startAt ?? Date.now() - 86_400_000;
  // Run-scoped ids and skus: a run against a platform that saw earlier runs starts from zero.
  const prefix = options.prefix ?? 'LG';
  const random = seeded(seed);
  const locations = network(profile);
  const stores = locations.filter((l) => l.kind === 'STORE');
  const depots = locations.filter((l) => l.kind !== 'STORE');
  const sku = zipfSampler(profile.skus, profile.zipf, random);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const step = Math.max(1, Math.floor(86_400_000 / Math.max(1, count)));
  let n = 0;
  let at = startAt;
  const event = (type: InventoryEventType, s: string, locationId: string, quantity: number): LoadEvent => ({
    eventId: `${prefix}-${seed}-${n++}`,
    type,
    sku: s,
    locationId,
    quantity,
    occurredAt: new Date(at).toISOString(),
  });
  while (n < count) {
    at += step;
    const s = `${prefix}-SKU-${String(sku()).padStart(6, '0')}`;
    const roll = random();
    if (roll < 0.6) yield event('SALE', s, pick(stores).locationId, 1 + Math.floor(random() * 3));
    else if (roll < 0.66) yield event('RETURN', s, pick(stores).locationId, 1);
    else if (roll < 0.8)
      yield event(
        'RECEIPT',
        s,
        pick(random() < 0.5 ? depots : stores).locationId,
        10 + Math.floor(random() * 90),
      );
    else if (roll < 0.9) {
      const from = pick(depots).locationId;
      const to = pick(stores).locationId;
      const quantity = 1 + Math.floor(random() * 20);
      yield event('TRANSFER_OUT', s, from, quantity);
      if (n < count) yield event('TRANSFER_IN', s, to, quantity);
    } else if (roll < 0.96) {
      const delta = 1 + Math.floor(random() * 4);
      yield event('ADJUSTMENT', s, pick(stores).locationId, random() < 0.7 ? -delta : delta);
    } else yield event('COUNT', s, pick(locations).locationId, Math.floor(random() * 200));
  }
}

/** The expected onHand per `${sku}|${locationId}`: the documented fold, in stream order. */
export class GroundTruth {
  readonly onHand = new Map<string, number>();

  apply(event: LoadEvent): void {
    const key = `${event.sku}|${event.locationId}`;
    const current = this.onHand.get(key) ?? 0;
    switch (event.type) {
      case 'COUNT':
        this.onHand.set(key, event.quantity);
        break;
      case 'SALE':
      case 'TRANSFER_OUT':
        this.onHand.set(key, current - event.quantity);
        break;
      default:
        this.onHand.set(key, current + event.quantity);
    }
  }

  /** Network totals per sku. */
  totals(): Map<string, number> {
    const totals = new Map<string, number>();
    for (const [key, value] of this.onHand) {
      const sku = key.slice(0, key.indexOf('|'));
      totals.set(sku, (totals.get(sku) ?? 0) + value);
    }
    return totals;
  }
}
