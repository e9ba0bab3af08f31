import type { InventoryEvent } from '@inventory/codec';

export interface Period {
  start: number;
  /** Exclusive. */
  end: number;
}

/** Periods are aligned to the epoch (UTC), so every instance and every restart agrees on them. */
export function periodOf(ms: number, periodMs: number): Period {
  const start = Math.floor(ms / periodMs) * periodMs;
  return { start, end: start + periodMs };
}

export interface SoldIncrement {
  periodStart: number;
  periodEnd: number;
  sku: string;
  supplierId: string;
  sold: number;
  returned: number;
  events: number;
}

export interface SummaryRules {
  periodMs: number;
  graceMs: number;
  supplierOf: (sku: string) => string;
}

/**
 * Sums the sales and returns of a batch per period, sku and supplier. An event belongs to
 * the period of its recordedAt (when the platform accepted it: it grows with the stream,
 * unlike the source's occurredAt, so a till that was offline for a day does not reopen
 * yesterday). A period closes `graceMs` after its end; an event recorded in a period
 * that is already closed at `now` is counted in the period open at `now` instead, because
 * the closed one has been sent and a summary is never changed after it was sent.
 */
export function soldIncrements(events: InventoryEvent[], rules: SummaryRules, now: number) {
  const increments = new Map<string, SoldIncrement>();
  let late = 0;
  for (const event of events) {
    if (event.type !== 'SALE' && event.type !== 'RETURN') continue;
    let period = periodOf(event.recordedAt, rules.periodMs);
    if (period.end + rules.graceMs <= now) {
      period = periodOf(now, rules.periodMs);
      late++;
    }
    const supplierId = rules.supplierOf(event.sku);
    const key = `${period.start}|${event.sku}|${supplierId}`;
    const current = increments.get(key) ?? {
      periodStart: period.start,
      periodEnd: period.end,
      sku: event.sku,
      supplierId,
      sold: 0,
      returned: 0,
      events: 0,
    };
    if (event.type === 'SALE') current.sold += event.quantity;
    else current.returned += event.quantity;
    current.events++;
    increments.set(key, current);
  }
  return { increments: [...increments.values()], late };
}
