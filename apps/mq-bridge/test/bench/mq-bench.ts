// Messages/s from the queue into Kafka through the real bridge process:
//   npm run bench -w @inventory/mq-bridge-test -- [messages] [batch size]
// Defaults: 200 000 messages (70 % fixed width, 30 % JSON), batches of 500. The local stack
// must be up (`npm run stack -- up`).
import { waitFor } from '@inventory/core';
import {
  createBridgeWorld,
  generateMovements,
  movementPayload,
  publish,
  queueDepth,
  startBridge,
} from '../support.ts';

const total = Number(process.argv[2] ?? 200_000);
const batch = Number(process.argv[3] ?? 500);
const world = await createBridgeWorld();
console.log(`publishing ${total} movements to ${world.queue} ...`);
const publishStart = Date.now();
await publish(world.queue, generateMovements(total, 99, ['W-1', 'W-2', 'DC-1', 'DC-2']).map(movementPayload));
console.log(`  published in ${((Date.now() - publishStart) / 1000).toFixed(1)} s`);

const bridge = startBridge(world, { MQ_BATCH_SIZE: String(batch), MQ_PREFETCH: String(batch * 2) });
await waitFor(async () => (await bridge.metric('mq_messages_in_total').catch(() => 0)) > 0, {
  description: 'the bridge to take a first message',
  timeoutMs: 60_000,
  intervalMs: 20,
});
const started = Date.now();
await waitFor(async () => (await bridge.metric('mq_events_out_total')) >= total, {
  description: 'every message into Kafka and acknowledged',
  timeoutMs: 1_800_000,
  intervalMs: 100,
});
const seconds = (Date.now() - started) / 1000;
const batches = await bridge.metric('mq_batch_seconds_count');
const batchSum = await bridge.metric('mq_batch_seconds_sum');
console.log(
  JSON.stringify({
    messages: total,
    batchSize: batch,
    seconds: Number(seconds.toFixed(1)),
    messagesPerSecond: Math.round(total / seconds),
    batches,
    meanBatchMs: Number(((batchSum / batches) * 1000).toFixed(1)),
    queueLeft: await queueDepth(world.queue),
  }),
);
bridge.child.kill('SIGTERM');
await bridge.exited;
process.exit(0);
