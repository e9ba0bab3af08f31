// Messages/s from the queue into Kafka through the real bridge process:
//   npm run bench -w @inventory/mq-bridge-test -- [messages] [batch size]
// Defaults: 200 000 messages (70 % fixed width, 30 % JSON), batches of 500. The local stack
// must be up (`npm run stack -- up`).
import { numberArgs, secondsToCount } from '@inventory/testkit';
import {
  createBridgeWorld,
  generateMovements,
  publishMovements,
  queueDepth,
  startBridge,
} from '../support.ts';

const [total, batch] = numberArgs([200_000, 500]);
const world = await createBridgeWorld();
console.log(`publishing ${total} movements to ${world.queue} ...`);
const publishStart = Date.now();
await publishMovements(world.queue, generateMovements(total, 99, ['W-1', 'W-2', 'DC-1', 'DC-2']));
console.log(`  published in ${((Date.now() - publishStart) / 1000).toFixed(1)} s`);

const bridge = startBridge(world, { MQ_BATCH_SIZE: String(batch), MQ_PREFETCH: String(batch * 2) });
const seconds = await secondsToCount(
  bridge,
  { started: 'mq_messages_in_total', done: 'mq_events_out_total' },
  total,
  'messages into Kafka and acknowledged',
);
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
