// Runs the bridge against the local stack (used by `npm start`), after putting a few demo
// movements on the queue as the mainframe would. They happened at the start of today (UTC)
// and their transaction ids name the day, so a second `npm start` the same day repeats them
// (the aggregator drops the repeats) and one on another day receives that day's.
import { stackEndpoints } from '@inventory/testkit';
import { movementPayload, publish } from './test-support.ts';

const endpoints = stackEndpoints();
process.env.MQ_KAFKA_BROKERS ??= endpoints.KAFKA_BROKERS;
process.env.MQ_AMQP_URL ??= endpoints.AMQP_URL;
if (endpoints.SCHEMA_REGISTRY_URL) process.env.MQ_SCHEMA_REGISTRY_URL ??= endpoints.SCHEMA_REGISTRY_URL;

const day = new Date().toISOString().slice(0, 10);
const movedAt = Date.parse(`${day}T00:00:00Z`);
const stamp = day.slice(2).replaceAll('-', '');
// WAREHOUSE is 8 characters in the copybook: the distribution centres' longer ids come as JSON.
const demo = ['WH-NORTH', 'WH-WEST', 'WH-SOUTH', 'DC-CENTRAL'].flatMap((warehouse, w) =>
  ['SKU-1001', 'SKU-1002', 'SKU-1003'].map((sku, s) =>
    movementPayload({
      txnId: `DEMO${stamp}${w}${s}`,
      moveCode: 'REC',
      warehouse,
      sku,
      quantity: 100 + 10 * w + s,
      movedAt,
      json: s === 2 || warehouse.length > 8,
    }),
  ),
);
await publish(process.env.MQ_QUEUE ?? 'mainframe.stock-movements', demo);
await import('./main.ts');
