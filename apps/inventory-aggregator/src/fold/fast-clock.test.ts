import { type InventoryEvent, placedAt, referenceOnHand } from '@inventory/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryEvent, at, event, foldAll, t0 } from './fixtures.ts';

const minute = (m: number) => t0 + m * 60_000;

describe('a source whose clock runs ahead', () => {
  it('is placed at when it was accepted: a COUNT stamped 5 minutes ahead does not swallow later movements of others', () => {
    // The till counts 40 at 10:00 real time, its clock saying 10:05; the platform accepts it at 10:00.
    const count = event('COUNT', 40, 5, { recordedAt: minute(0), source: 'STORE' });
    // A warehouse delivery and a web-shop sale at 10:02 and 10:03, correct clocks, folded after the count.
    const receipt = event('RECEIPT', 10, 2, { source: 'MAINFRAME' });
    const sale = event('SALE', 3, 3, { source: 'WEBSHOP' });
    const { state, result } = foldAll([count, receipt, sale]);
    expect([at(state)?.onHand, at(state)?.lastCountAt, result.late]).toEqual([47, minute(0), 0]);
    // Placed by its own clock, the count would have hidden both: 40, and two late events.
    expect(placedAt(count)).toBe(minute(0));
    expect(referenceOnHand([count, receipt, sale]).get('SKU-1|STORE-001')).toBe(47);
  });

  it('a delta stamped ahead is inside a count of a time after it was accepted, not applied again on top', () => {
    // A sale at 10:00 real time stamped 10:05, then the ERP's count as of 10:02 (which holds the sale).
    const sale = event('SALE', 4, 5, { recordedAt: minute(0) });
    const count = event('COUNT', 20, 2, { source: 'RECONCILIATION', recordedAt: minute(30) });
    const { state } = foldAll([sale, count]);
    expect(at(state)?.onHand).toBe(20);
  });

  it('deduplication keeps the event\u2019s own occurredAt (a retry repeats it, not the time it was accepted)', () => {
    const first = event('SALE', 1, 5, { recordedAt: minute(0) });
    const retry: InventoryEvent = { ...first, recordedAt: minute(1) };
    const { state, result } = foldAll([first, retry]);
    expect([at(state)?.onHand, result.duplicates, result.applied]).toEqual([
      -1,
      1,
      [{ eventId: first.eventId, occurredAt: minute(5) }],
    ]);
  });

  it('with clocks up to 5 minutes ahead anywhere in the stream, the fold equals the reference', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbitraryEvent, fc.integer({ min: 0, max: 5 * 60_000 })), { maxLength: 60 }),
        (pairs) => {
          const events = pairs.map(([e, ahead]) => ({ ...e, recordedAt: e.occurredAt - ahead }));
          const { state } = foldAll(events);
          for (const [key, onHand] of referenceOnHand(events)) {
            const [sku, location] = key.split('|') as [string, string];
            expect(at(state, sku, location)?.onHand).toBe(onHand);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
