import type { Reservation, SkuAvailability } from '@inventory/codec';
import { describe, expect, it } from 'vitest';
import type { LocationState } from '../fold/fold.ts';
import { noChanges, type StepChanges } from '../steps/changes.ts';
import { PendingOutputs } from './pending-outputs.ts';

const location = (onHand: number, version: number): LocationState => ({
  onHand,
  reserved: 0,
  updatedAt: 1_000 + version,
  lastCountAt: null,
  version,
  inputOffset: version,
});
const total = (sku: string, onHand: number, version: number): SkuAvailability => ({
  sku,
  onHand,
  reserved: 0,
  available: onHand,
  asOf: 1_000 + version,
  regions: [],
  version,
});
const step = (sku: string, locations: [string, LocationState][], t: SkuAvailability): StepChanges => {
  const changes = noChanges();
  changes.skus.set(sku, { locations: new Map(locations), total: t, journals: new Map() });
  return changes;
};
const progress = (events: number) => ({ events, commands: undefined, clock: 0 });

describe('PendingOutputs', () => {
  it('publishes each key once with its newest value, and every outbox entry it covers', () => {
    const pending = new PendingOutputs(3);
    pending.stage(
      step(
        'A',
        [
          ['S1', location(5, 1)],
          ['S2', location(7, 1)],
        ],
        total('A', 12, 1),
      ),
      'e1',
      progress(10),
      100,
    );
    pending.stage(step('A', [['S1', location(4, 2)]], total('A', 11, 2)), 'e2', progress(20), 150);
    pending.stage(step('B', [['S1', location(1, 1)]], total('B', 1, 1)), 'e3', progress(30), 160);
    expect(pending.since).toBe(100);
    expect(pending.awaited).toBe(false);
    const publication = pending.take();
    expect(publication?.entries).toEqual(['e1', 'e2', 'e3']);
    expect(publication?.progress).toEqual(progress(30));
    expect(
      publication?.values.stock.map((s) => [s.sku, s.locationId, s.onHand, s.version, s.inputPartition]),
    ).toEqual([
      ['A', 'S1', 4, 2, 3],
      ['A', 'S2', 7, 1, 3],
      ['B', 'S1', 1, 1, 3],
    ]);
    expect(publication?.values.availability.map((a) => [a.sku, a.onHand, a.version])).toEqual([
      ['A', 11, 2],
      ['B', 1, 1],
    ]);
    expect(pending.empty).toBe(true);
    expect(pending.since).toBeUndefined();
    expect(pending.take()).toBeUndefined();
  });

  it('keeps the newest state of a reservation, and every outcome and sale in order', () => {
    const pending = new PendingOutputs(0);
    const reservation = (status: Reservation['status'], version: number) =>
      ({ reservationId: 'r1', status, version }) as Reservation;
    const first = noChanges();
    first.reservations.push(reservation('CONFIRMED', 1));
    first.outcomes.push({ requestId: 'q1' } as never);
    const second = noChanges();
    second.reservations.push(reservation('COMMITTED', 2));
    second.outcomes.push({ requestId: 'q2' } as never);
    second.sales.push({ eventId: 'reservation-sale:r1' } as never);
    expect(pending.awaited).toBe(false);
    pending.stage(first, 'e1', progress(0), 1);
    expect(pending.awaited).toBe(true);
    pending.stage(second, 'e2', progress(0), 2);
    const { values } = pending.take() ?? { values: undefined };
    expect(pending.awaited).toBe(false);
    expect(values?.reservations).toEqual([reservation('COMMITTED', 2)]);
    expect(values?.outcomes.map((o) => o.requestId)).toEqual(['q1', 'q2']);
    expect(values?.sales.map((s) => s.eventId)).toEqual(['reservation-sale:r1']);
  });
  it('carries the progress of a later step with nothing to publish, and nothing when nothing is pending', () => {
    const pending = new PendingOutputs(0);
    pending.advance(progress(5));
    expect(pending.take()).toBeUndefined();
    pending.stage(step('A', [['S1', location(5, 1)]], total('A', 5, 1)), 'e1', progress(10), 1);
    pending.advance(progress(12));
    const publication = pending.take();
    expect(publication?.progress).toEqual(progress(12));
    expect(publication?.entries).toEqual(['e1']);
    expect(publication?.values.stock.map((s) => [s.sku, s.locationId, s.onHand])).toEqual([['A', 'S1', 5]]);
  });
});
