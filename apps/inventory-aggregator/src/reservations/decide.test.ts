import type { ReservationCommand } from '@inventory/codec';
import type { StoredReservation } from '@inventory/read-model';
import { describe, expect, it } from 'vitest';
import type { SkuState } from '../fold/fold.ts';
import { chooseLocation, decide } from './decide.ts';

const t0 = Date.parse('2026-11-22T10:00:00Z');
const location = (onHand: number, reserved = 0) => ({
  onHand,
  reserved,
  updatedAt: t0,
  lastCountAt: null,
  version: 1,
  inputOffset: 0,
});
const world = (stock: Record<string, [number, number?]>) =>
  new Map<string, SkuState>([
    [
      'SKU-1',
      new Map(Object.entries(stock).map(([id, [onHand, reserved]]) => [id, location(onHand, reserved)])),
    ],
  ]);
let n = 0;
const command = (overrides: Partial<ReservationCommand>): ReservationCommand => ({
  type: 'RESERVE',
  reservationId: `r${++n}`,
  sku: 'SKU-1',
  locationId: 'W-1',
  quantity: 1,
  ttlMs: 60_000,
  issuedAt: t0,
  orderId: null,
  requestId: `q${n}`,
  ...overrides,
});

describe('decide', () => {
  it('confirms while available covers the quantity, then refuses with what is available', () => {
    const state = world({ 'W-1': [3, 1] });
    const result = decide(
      state,
      new Map(),
      [command({ quantity: 1 }), command({ quantity: 1 }), command({ quantity: 1 })],
      0,
    );
    expect(result.outcomes.map((o) => [o.status, o.available])).toEqual([
      ['CONFIRMED', 2],
      ['CONFIRMED', 1],
      ['REFUSED', 0],
    ]);
    expect(state.get('SKU-1')?.get('W-1')).toMatchObject({ onHand: 3, reserved: 3, version: 3 });
    expect(result.outcomes[0]?.expiresAt).toBe(t0 + 60_000);
  });

  it('a repeated reservationId gets the first decision again and reserves nothing more', () => {
    const state = world({ 'W-1': [5] });
    const reservations = new Map<string, StoredReservation>();
    const first = command({ quantity: 2 });
    decide(state, reservations, [first], 0);
    const retry = decide(state, reservations, [{ ...first, requestId: 'again', quantity: 5 }], 0);
    expect(retry.outcomes).toMatchObject([{ status: 'CONFIRMED', quantity: 2, requestId: 'again' }]);
    expect(retry.changed.size).toBe(0);
    expect(state.get('SKU-1')?.get('W-1')?.reserved).toBe(2);
  });

  it('release gives the units back; commit keeps them reserved and emits the sale; both are idempotent', () => {
    const state = world({ 'W-1': [5] });
    const reservations = new Map<string, StoredReservation>();
    const a = command({ quantity: 2 });
    const b = command({ quantity: 1 });
    decide(state, reservations, [a, b], 0);
    const result = decide(
      state,
      reservations,
      [
        command({ type: 'RELEASE', reservationId: a.reservationId }),
        command({ type: 'RELEASE', reservationId: a.reservationId }),
        command({ type: 'COMMIT', reservationId: b.reservationId }),
        command({ type: 'COMMIT', reservationId: b.reservationId }),
        command({ type: 'RELEASE', reservationId: b.reservationId }),
        command({ type: 'COMMIT', reservationId: 'nope' }),
      ],
      0,
    );
    expect(result.outcomes.map((o) => o.status)).toEqual([
      'RELEASED',
      'RELEASED',
      'COMMITTED',
      'COMMITTED',
      'COMMITTED',
      'UNKNOWN',
    ]);
    expect(state.get('SKU-1')?.get('W-1')?.reserved).toBe(1);
    expect(result.sales).toEqual([
      expect.objectContaining({
        type: 'SALE',
        quantity: 1,
        locationId: 'W-1',
        source: 'WEBSHOP',
        sourceRef: `reservation:${b.reservationId}`,
      }),
    ]);
  });

  it('reservations expire when the clock (command time or a tick) passes expiresAt, before newer commands', () => {
    const state = world({ 'W-1': [1] });
    const reservations = new Map<string, StoredReservation>();
    decide(state, reservations, [command({ ttlMs: 30_000 })], 0);
    const early = decide(state, reservations, [command({ issuedAt: t0 + 29_999 })], t0);
    expect(early.outcomes.map((o) => o.status)).toEqual(['REFUSED']);
    const later = decide(state, reservations, [command({ issuedAt: t0 + 30_000 })], early.clock);
    expect(later.outcomes.map((o) => [o.status, o.requestId === null])).toEqual([
      ['EXPIRED', true],
      ['CONFIRMED', false],
    ]);
    const tick = decide(state, reservations, [command({ type: 'TICK', issuedAt: t0 + 90_000 })], later.clock);
    expect(tick.outcomes.map((o) => o.status)).toEqual(['EXPIRED']);
    expect(state.get('SKU-1')?.get('W-1')?.reserved).toBe(0);
    // The clock never goes back: an old command does not un-expire or re-time anything.
    expect(decide(state, reservations, [command({ type: 'TICK', issuedAt: t0 })], tick.clock).clock).toBe(
      t0 + 90_000,
    );
  });

  it('without a location: the one with most available that covers it; refused when none does', () => {
    const sku = world({ 'S-1': [4], 'W-1': [9, 6], 'W-2': [4] }).get('SKU-1') as SkuState;
    expect(chooseLocation(sku, 4)).toEqual({ locationId: 'S-1', available: 4 });
    expect(chooseLocation(sku, 5)).toEqual({ locationId: null, available: 4 });
    const state = world({ 'S-1': [2], 'W-1': [3] });
    const result = decide(state, new Map(), [command({ locationId: null, quantity: 3 })], 0);
    expect(result.outcomes).toMatchObject([{ status: 'CONFIRMED', locationId: 'W-1' }]);
  });

  it('refuses a location that never held the sku, and a quantity that is not positive', () => {
    const result = decide(
      world({ 'W-1': [5] }),
      new Map(),
      [command({ locationId: 'S-9' }), command({ quantity: 0 })],
      0,
    );
    expect(result.outcomes.map((o) => [o.status, o.available])).toEqual([
      ['REFUSED', 0],
      ['REFUSED', 5],
    ]);
  });
});
