import { describe, expect, it } from 'vitest';
import { validateEvent, validateEvents } from './validate.ts';

const now = Date.parse('2026-11-22T10:00:00Z');
const good = {
  eventId: 'till-7-000123',
  type: 'SALE',
  sku: 'SKU-1001',
  locationId: 'STORE-001',
  quantity: 2,
  occurredAt: '2026-11-22T09:15:00+01:00',
  reference: 'receipt 7781',
};

describe('validateEvent', () => {
  it('accepts a valid event and converts occurredAt to epoch milliseconds', () => {
    const { event, problems } = validateEvent(good, 0, now);
    expect(problems).toEqual([]);
    expect(event).toEqual({ ...good, occurredAt: Date.parse('2026-11-22T08:15:00Z') });
  });

  it('reference is optional', () => {
    const { reference: _r, ...withoutReference } = good;
    expect(validateEvent(withoutReference, 0, now).event?.reference).toBeNull();
  });

  it('names every bad field at once', () => {
    const { problems } = validateEvent(
      {
        eventId: '',
        type: 'THEFT',
        sku: 'SKU 1',
        locationId: 'x'.repeat(65),
        quantity: '2',
        occurredAt: '2026-11-22T09:15:00',
        color: 'red',
      },
      3,
      now,
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      'color',
      'eventId',
      'locationId',
      'occurredAt',
      'quantity',
      'sku',
      'type',
    ]);
    expect(problems.every((p) => p.index === 3)).toBe(true);
    expect(problems.find((p) => p.path === 'color')?.message).toBe('unknown field');
  });

  it.each([
    ['SALE', 0, 'must be > 0 for SALE'],
    ['RECEIPT', -1, 'must be > 0 for RECEIPT'],
    ['TRANSFER_OUT', 0, 'must be > 0 for TRANSFER_OUT'],
    ['ADJUSTMENT', 0, 'must not be 0 for ADJUSTMENT'],
    ['COUNT', -1, 'must be >= 0 for COUNT'],
    ['SALE', 1.5, 'must be a JSON integer'],
    ['SALE', '3', 'must be a JSON integer'],
    ['SALE', 2e12, 'must be between -1000000000 and 1000000000'],
  ])('refuses %s with quantity %s', (type, quantity, message) => {
    const { problems } = validateEvent({ ...good, type, quantity }, 0, now);
    expect(problems).toEqual([{ index: 0, path: 'quantity', message }]);
  });

  it.each([
    ['ADJUSTMENT', -4],
    ['ADJUSTMENT', 4],
    ['COUNT', 0],
    ['RETURN', 1],
  ])('accepts %s with quantity %s', (type, quantity) => {
    expect(validateEvent({ ...good, type, quantity }, 0, now).problems).toEqual([]);
  });

  it.each([
    ['2026-11-22', 'must be an ISO-8601'],
    ['2026-11-22T09:15:00', 'must be an ISO-8601'],
    ['2026-13-40T09:15:00Z', 'is not a valid date-time'],
    ['1999-12-31T23:59:59Z', 'is before 2000-01-01'],
    ['2026-11-22T10:10:00Z', 'in the future'],
  ])('refuses occurredAt %s', (occurredAt, message) => {
    const { problems } = validateEvent({ ...good, occurredAt }, 0, now);
    expect(problems[0]?.path).toBe('occurredAt');
    expect(problems[0]?.message).toContain(message);
  });

  it('refuses non-objects and control characters in eventId', () => {
    expect(validateEvent([1], 0, now).problems).toEqual([
      { index: 0, path: '', message: 'must be a JSON object' },
    ]);
    expect(validateEvent({ ...good, eventId: 'a\nb' }, 0, now).problems[0]?.path).toBe('eventId');
  });
});

describe('validateEvents', () => {
  it('is all or nothing: one bad event refuses the whole request', () => {
    const result = validateEvents([good, { ...good, eventId: 'e2', quantity: 0 }], now);
    expect(result.events).toEqual([]);
    expect(result.problems).toEqual([{ index: 1, path: 'quantity', message: 'must be > 0 for SALE' }]);
  });

  it('refuses an eventId repeated within one request', () => {
    const result = validateEvents([good, good], now);
    expect(result.problems).toEqual([
      { index: 1, path: 'eventId', message: 'repeats the eventId of event 0 in this request' },
    ]);
  });

  it('returns every event when all are valid', () => {
    const result = validateEvents([good, { ...good, eventId: 'e2' }], now);
    expect(result.events.map((e) => e.eventId)).toEqual(['till-7-000123', 'e2']);
  });
});
