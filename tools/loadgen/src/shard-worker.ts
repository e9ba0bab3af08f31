// One shard of a load run in a worker thread of the load generator (--processes N > 1), so
// that sending is not bound to one core: accepted counts and freshness samples go to the
// main thread as they come, the shard's ground truth at the end.
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '@inventory/core';
import { type ShardOptions, sendShard } from './shard.ts';

export type ShardMessage =
  | { kind: 'progress'; accepted: number; freshness: number[] }
  | { kind: 'sent'; accepted: number; probes: number; onHand: [string, number][] }
  | { kind: 'failed'; error: string };

const port = parentPort;
if (!port) throw new Error('shard-worker runs as a worker thread');
let accepted = 0;
let freshness: number[] = [];
const flush = () => {
  if (accepted === 0 && freshness.length === 0) return;
  port.postMessage({ kind: 'progress', accepted, freshness } satisfies ShardMessage);
  accepted = 0;
  freshness = [];
};
const timer = setInterval(flush, 100);
try {
  const sent = await sendShard(workerData as ShardOptions, {
    onAccepted: (count) => {
      accepted += count;
    },
    onFreshness: (ms) => freshness.push(ms),
  });
  flush();
  port.postMessage({
    kind: 'sent',
    accepted: sent.accepted,
    probes: sent.probes,
    onHand: [...sent.onHand],
  } satisfies ShardMessage);
  // The main thread says when the platform has drained: until then late probes still count.
  port.once('message', () => {
    sent.close();
    flush();
    clearInterval(timer);
    port.close();
  });
} catch (error) {
  clearInterval(timer);
  port.postMessage({ kind: 'failed', error: errorMessage(error) } satisfies ShardMessage);
  port.close();
}
