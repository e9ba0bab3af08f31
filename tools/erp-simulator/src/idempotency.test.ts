import { describe, expect, it } from 'vitest';
import { canonicalJson, IdempotencyStore } from './idempotency.ts';

describe('IdempotencyStore', () => {
  const at = new Date('2026-11-22T10:00:00Z');

  it('replays the same body, refuses another, and counts calls', () => {
    const store = new IdempotencyStore();
    expect(store.attempt('purchase-orders', 'k1', { a: 1 })).toBe('new');
    store.accept('purchase-orders', 'k1', { a: 1 }, at);
    expect(store.attempt('purchase-orders', 'k1', { a: 1 })).toBe('replayed');
    expect(store.attempt('purchase-orders', 'k1', { a: 2 })).toBe('conflict');
    expect(store.records('purchase-orders')).toEqual([
      { idempotencyKey: 'k1', body: { a: 1 }, firstAt: '2026-11-22T10:00:00.000Z', calls: 2 },
    ]);
  });

  it('keeps one key space per kind', () => {
    const store = new IdempotencyStore();
    store.accept('purchase-orders', 'k1', { a: 1 }, at);
    expect(store.attempt('sold-quantities', 'k1', { b: 1 })).toBe('new');
    expect(store.records('sold-quantities')).toEqual([]);
  });

  it('treats a re-serialised body with other key order as the same', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
    const store = new IdempotencyStore();
    store.accept('sold-quantities', 'k', { sold: 1, sku: 'A' }, at);
    expect(store.attempt('sold-quantities', 'k', { sku: 'A', sold: 1 })).toBe('replayed');
  });

  it('hands out copies and forgets everything on clear', () => {
    const store = new IdempotencyStore();
    store.accept('purchase-orders', 'k', { a: 1 }, at);
    const [copy] = store.records('purchase-orders');
    (copy?.body as { a: number }).a = 99;
    expect(store.attempt('purchase-orders', 'k', { a: 1 })).toBe('replayed');
    store.clear();
    expect(store.attempt('purchase-orders', 'k', { a: 1 })).toBe('new');
  });
});
