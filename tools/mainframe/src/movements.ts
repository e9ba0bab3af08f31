import { formatRecord, type Movement } from '@inventory/mq-bridge';

/** A stock movement as the mainframe sends it: a fixed-width copybook record or JSON. */
export interface MainframeMovement extends Movement {
  json: boolean;
}

export interface QueuePayload {
  content: Buffer;
  contentType: string;
}

/** The message the mainframe puts on the queue for a movement. */
export function movementPayload(m: MainframeMovement): QueuePayload {
  if (m.json) {
    const { json: _json, movedAt, ...rest } = m;
    return {
      content: Buffer.from(JSON.stringify({ ...rest, movedAt: new Date(movedAt).toISOString() })),
      contentType: 'application/json',
    };
  }
  const iso = new Date(m.movedAt).toISOString();
  return {
    content: Buffer.from(
      formatRecord({
        'REC-TYPE': 'MV',
        'MOVE-CODE': m.moveCode,
        WAREHOUSE: m.warehouse,
        SKU: m.sku,
        'QTY-SIGN': m.quantity < 0 ? '-' : '+',
        QUANTITY: String(Math.abs(m.quantity)),
        'MOVE-DATE': iso.slice(0, 10).replaceAll('-', ''),
        'MOVE-TIME': iso.slice(11, 19).replaceAll(':', ''),
        'TXN-ID': m.txnId,
      }),
    ),
    contentType: 'text/plain',
  };
}

/** A reproducible stream of deltas (no counts: their effect would depend on arrival order). */
export function generateMovements(count: number, seed: number, warehouses: string[]): MainframeMovement[] {
  let x = seed;
  const random = () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
  const codes = ['REC', 'ISS', 'ISS', 'SAL', 'RET', 'TRI', 'ADJ'];
  const t0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
  return Array.from({ length: count }, (_, i) => {
    const moveCode = codes[Math.floor(random() * codes.length)] as string;
    const magnitude = 1 + Math.floor(random() * 50);
    return {
      txnId: `T${seed}-${String(i).padStart(9, '0')}`,
      moveCode,
      warehouse: warehouses[Math.floor(random() * warehouses.length)] as string,
      sku: `SKU-${Math.floor(random() * 200)}`,
      quantity: moveCode === 'ADJ' && random() < 0.5 ? -magnitude : magnitude,
      movedAt: t0 + i * 1000,
      json: random() < 0.3,
    };
  });
}

/**
 * The demo movements of a day: receipts at four warehouses, dated the start of that day
 * (UTC), their transaction ids naming the day. A second start the same day repeats them
 * (the aggregator drops the repeats); one on another day brings that day's. WAREHOUSE is 8
 * characters in the copybook: the distribution centres' longer ids come as JSON.
 */
export function demoMovements(now = Date.now()): MainframeMovement[] {
  const day = new Date(now).toISOString().slice(0, 10);
  const movedAt = Date.parse(`${day}T00:00:00Z`);
  const stamp = day.slice(2).replaceAll('-', '');
  return ['WH-NORTH', 'WH-WEST', 'WH-SOUTH', 'DC-CENTRAL'].flatMap((warehouse, w) =>
    ['SKU-1001', 'SKU-1002', 'SKU-1003'].map((sku, s) => ({
      txnId: `DEMO${stamp}${w}${s}`,
      moveCode: 'REC',
      warehouse,
      sku,
      quantity: 100 + 10 * w + s,
      movedAt,
      json: s === 2 || warehouse.length > 8,
    })),
  );
}
