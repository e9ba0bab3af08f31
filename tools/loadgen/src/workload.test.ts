import { describe, expect, it } from 'vitest';
import { GroundTruth, generate, type LoadEvent, network, profiles, seeded, zipfSampler } from './workload.ts';

const small = profiles.small as NonNullable<typeof profiles.small>;

describe('workload', () => {
  it('is reproducible from its seed and different for another', () => {
    const a = [...generate(small, 7, { count: 500, startAt: 0 })];
    const b = [...generate(small, 7, { count: 500, startAt: 0 })];
    const c = [...generate(small, 8, { count: 500, startAt: 0 })];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a.map((e) => e.eventId)).size).toBe(500);
  });

  it('has the retail mix: sales dominate, transfers come as two legs of one quantity, times only grow', () => {
    const events = [...generate(small, 3, { count: 20_000, startAt: 0 })];
    const share = (type: string) => events.filter((e) => e.type === type).length / events.length;
    expect(share('SALE')).toBeGreaterThan(0.45);
    for (const type of ['RETURN', 'RECEIPT', 'TRANSFER_OUT', 'TRANSFER_IN', 'ADJUSTMENT', 'COUNT'])
      expect(share(type), type).toBeGreaterThan(0.01);
    events.forEach((e, i) => {
      if (e.type === 'TRANSFER_OUT' && events[i + 1]) {
        expect(events[i + 1]).toMatchObject({ type: 'TRANSFER_IN', sku: e.sku, quantity: e.quantity });
      }
    });
    const times = events.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const locations = new Set(network(small).map((l) => l.locationId));
    expect(events.every((e) => locations.has(e.locationId))).toBe(true);
  });

  it('draws popular skus far more often (Zipf)', () => {
    const sample = zipfSampler(1000, 1, seeded(1));
    const counts = new Array(1000).fill(0);
    for (let i = 0; i < 100_000; i++) counts[sample()]++;
    expect(counts[0]).toBeGreaterThan(counts[99] * 50);
    expect(counts[0] / 100_000).toBeGreaterThan(0.1);
  });

  it('the ground truth folds counts absolutely and movements by sign, and sums per sku', () => {
    const truth = new GroundTruth();
    const e = (type: LoadEvent['type'], locationId: string, quantity: number): LoadEvent => ({
      eventId: 'x',
      type,
      sku: 'A',
      locationId,
      quantity,
      occurredAt: '',
    });
    for (const event of [
      e('RECEIPT', 'S1', 10),
      e('SALE', 'S1', 3),
      e('COUNT', 'S2', 4),
      e('ADJUSTMENT', 'S2', -1),
      e('TRANSFER_OUT', 'S1', 2),
    ])
      truth.apply(event);
    expect(truth.onHand).toEqual(
      new Map([
        ['A|S1', 5],
        ['A|S2', 3],
      ]),
    );
    expect(truth.totals()).toEqual(new Map([['A', 8]]));
  });
});
