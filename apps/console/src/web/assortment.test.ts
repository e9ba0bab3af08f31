import { describe, expect, it } from 'vitest';
import { type AssortmentItem, filterItems, levelOf, PageTrail } from './assortment.ts';

const item = (sku: string, onHand: number, reserved = 0): AssortmentItem => ({
  sku,
  onHand,
  reserved,
  available: onHand - reserved,
  inStock: onHand > reserved,
  updatedAt: '2026-12-04T10:00:00.000Z',
});
const items = [item('A', 10), item('B', 3), item('C', 4, 4), item('D', 0), item('E', 6, 1)];

describe("a location's assortment", () => {
  it('calls nothing available out, up to the threshold low', () => {
    expect(items.map((i) => levelOf(i, 5))).toEqual(['ok', 'low', 'out', 'out', 'low']);
  });

  it('filters low (low and out) and out of stock', () => {
    expect(filterItems(items, 'all', 5).map((i) => i.sku)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(filterItems(items, 'low', 5).map((i) => i.sku)).toEqual(['B', 'C', 'D', 'E']);
    expect(filterItems(items, 'out', 5).map((i) => i.sku)).toEqual(['C', 'D']);
  });

  it('goes back through the pages seen; never before the first', () => {
    const trail = new PageTrail();
    expect([trail.page, trail.current]).toEqual([1, undefined]);
    trail.forward('c1');
    trail.forward('c2');
    expect([trail.page, trail.current]).toEqual([3, 'c2']);
    expect(trail.back()).toBe('c1');
    expect(trail.back()).toBeUndefined();
    expect(trail.back()).toBeUndefined();
    expect(trail.page).toBe(1);
  });
});
