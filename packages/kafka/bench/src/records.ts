import type { AvroCodec, InventoryEvent, InventoryEventType } from '@inventory/codec';
import { topicNames } from '@inventory/kafka';
import type { OutgoingRecord } from './clients/types.ts';

const types: InventoryEventType[] = [
  'SALE',
  'SALE',
  'SALE',
  'SALE',
  'RETURN',
  'RECEIPT',
  'TRANSFER_OUT',
  'COUNT',
];
const skus = 50_000;
const stores = 500;

/** Record i of the benchmark's stream: the ingest's shape (store events, eventIds in the store namespace). */
export function benchEvent(i: number, t0: number): InventoryEvent {
  const h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const type = types[h % types.length] as InventoryEventType;
  const store = String((h >>> 8) % stores).padStart(3, '0');
  const clientId = `store-${store}-tills`;
  const clientEventId = `till-${(h >>> 4) % 8}-${String(i).padStart(9, '0')}`;
  return {
    eventId: `store:${clientId}:${clientEventId}`,
    type,
    sku: `SKU-${String((h >>> 12) % skus).padStart(6, '0')}`,
    locationId: `STORE-${store}`,
    quantity: type === 'COUNT' ? 20 + (h % 50) : 1 + (h % 5),
    occurredAt: t0 + i,
    recordedAt: t0 + i + 250,
    source: 'STORE',
    sourceRef: `receipt ${h % 100_000}`,
    clientId,
    clientEventId,
  };
}

/** The same encoded records in every process of a run: Avro through the registry, keyed by sku. */
export async function recordPool(codec: AvroCodec, size: number): Promise<OutgoingRecord[]> {
  const t0 = Date.parse('2026-12-01T08:00:00Z');
  const events = Array.from({ length: size }, (_, i) => benchEvent(i, t0));
  const values = await codec.encodeAll(`${topicNames.events}-value`, 'InventoryEvent', events);
  return events.map((event, i) => ({ key: event.sku, value: values[i] as Buffer }));
}

/** Hands out records of the pool in order, round and round. */
export class PoolCursor {
  private next = 0;
  constructor(private readonly pool: OutgoingRecord[]) {}

  take(count: number): OutgoingRecord[] {
    const records: OutgoingRecord[] = new Array(count);
    for (let i = 0; i < count; i++) {
      records[i] = this.pool[this.next] as OutgoingRecord;
      this.next = (this.next + 1) % this.pool.length;
    }
    return records;
  }
}
