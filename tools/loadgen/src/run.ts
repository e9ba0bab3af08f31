import { Worker } from 'node:worker_threads';
import { waitFor } from '@inventory/core';
import { metricIn } from '@inventory/testkit';
import * as hdr from 'hdr-histogram-js';
import { type CpuCost, cpuCost, readCpu } from './cpu.ts';
import { type SentShard, type ShardOptions, sendShard } from './shard.ts';
import type { ShardMessage } from './shard-worker.ts';
import { type AggregatorReading, Timeline, type TimelinePoint } from './timeline.ts';
import { GroundTruth } from './workload.ts';

export type { LoadTarget } from './shard.ts';
export type { TimelinePoint } from './timeline.ts';

/** A run: what each of its shards is given (shard.ts), and what the whole run adds. */
export interface LoadOptions extends Omit<ShardOptions, 'shard'> {
  /** Events of the whole run. */
  events: number;
  /** Events per second to offer; 0 sends as fast as the platform takes them. */
  ratePerSecond: number;
  /** Stop generating after this many seconds, even before `events` (0: no limit). */
  durationSeconds?: number;
  /** The aggregator's /metrics, for applied events and lag over time (optional). */
  aggregatorMetricsUrl?: string;
  /**
   * Sending threads, each with its own share of the skus (ingest target only): one core does
   * not offer millions of events a minute as JSON over HTTP.
   */
  processes?: number;
  drainTimeoutMs: number;
  /** The local stack's home: the CPU of its parts and of the apps of `npm start` is measured. */
  stackHome?: string;
  onProgress?: (line: string) => void;
}

export interface LoadReport {
  profile: string;
  seed: number;
  prefix: string;
  /** Events accepted, the probes among them. */
  events: number;
  probes: number;
  senders: number;
  processes: number;
  batchSize: number;
  /** Events per second offered (0: as fast as accepted). */
  offeredPerSecond: number;
  sendSeconds: number;
  drainSeconds: number;
  acceptedPerSecond: number;
  appliedPerSecond: number | null;
  /**
   * Of the once-a-second samples, how many got the aggregator's /metrics answer, the slowest
   * answer (ms), and the longest its event loop was held as those answers reported it (ms;
   * every scrape resets that figure, Prometheus' too, so it is the least the longest was): an
   * aggregator whose event loop is held by its steps answers late, and a sample whose reading
   * is still awaited gets none.
   */
  aggregatorReadings: { samples: number; read: number; slowestMs: number; loopDelayMaxMs: number } | null;
  freshnessMs: { samples: number; p50: number; p95: number; p99: number; max: number };
  /**
   * CPU of each part of the platform from the first event sent until the platform drained,
   * in seconds and microseconds per accepted event; `platform` sums them (the load
   * generator excluded), `loadgen` is the generator's own.
   */
  cpu: {
    parts: CpuCost[];
    platform: { cpuSeconds: number; microsPerEvent: number };
    loadgen: { cpuSeconds: number; microsPerEvent: number };
  } | null;
  timeline: TimelinePoint[];
  exact: boolean;
  locationsCompared: number;
  skusCompared: number;
  differences: string[];
}

/**
 * The aggregator's applied events and lag, from one answer of its /metrics (null when it does
 * not answer; lag null while it reports no partition, in a rebalance or before its first).
 */
async function readAggregator(url: string): Promise<AggregatorReading | null> {
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).text();
    return {
      applied: metricIn(text, 'aggregator_events_applied_total'),
      lag: /^aggregator_partition_lag\{/m.test(text) ? metricIn(text, 'aggregator_partition_lag') : null,
      loopDelayMaxMs: Math.round(metricIn(text, 'nodejs_eventloop_lag_max_seconds') * 1000),
    };
  } catch {
    return null;
  }
}

/** A shard sent: its result, and how to end its probes once the platform drained. */
interface Shard {
  sent: Promise<SentShard>;
  close(): Promise<void>;
}

function inlineShard(options: ShardOptions, hooks: Parameters<typeof sendShard>[1]): Shard {
  const sent = sendShard(options, hooks);
  return {
    sent,
    close: async () => (await sent.catch(() => undefined))?.close(),
  };
}

function threadShard(options: ShardOptions, hooks: Parameters<typeof sendShard>[1]): Shard {
  const worker = new Worker(new URL('./shard-thread.mjs', import.meta.url), {
    workerData: options,
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const sent = new Promise<SentShard>((resolve, reject) => {
    worker.on('message', (message: ShardMessage) => {
      if (message.kind === 'progress') {
        if (message.accepted > 0) hooks.onAccepted(message.accepted);
        for (const ms of message.freshness) hooks.onFreshness(ms);
      } else if (message.kind === 'sent')
        resolve({ ...message, onHand: new Map(message.onHand), close: () => worker.postMessage('close') });
      else reject(new Error(message.error));
    });
    worker.once('error', reject);
    void exited.then(() => reject(new Error(`shard ${options.shard.index} ended before it sent its events`)));
  });
  return {
    sent,
    close: async () => {
      (await sent.catch(() => undefined))?.close();
      await exited;
    },
  };
}

/**
 * Offers the workload to the platform (sendShard, in one thread or several, each with its
 * own skus), samples rates, lag and freshness once a second, waits until the query API
 * shows the ground truth (or stops changing), compares every location x sku and network
 * total, and measures what each part of the platform spent in CPU meanwhile.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  // The ingest takes at most 1000 events per JSON request, and a probe can join a batch.
  if (options.batchSize > 999)
    throw new Error(`batch size ${options.batchSize}: at most 999 (1000 per request, one slot for a probe)`);
  const processes = Math.max(1, options.processes ?? 1);
  if (processes > 1 && options.target.kind !== 'ingest')
    throw new Error('several sending threads need the ingest target');
  const freshness = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000,
    numberOfSignificantValueDigits: 3,
  });
  const windowFreshness: number[] = [];
  let accepted = 0;
  const hooks = {
    onAccepted: (count: number) => {
      accepted += count;
    },
    onFreshness: (ms: number) => {
      freshness.recordValue(ms);
      windowFreshness.push(ms);
    },
  };

  const metricsUrl = options.aggregatorMetricsUrl;
  const appliedAtStart = metricsUrl ? ((await readAggregator(metricsUrl))?.applied ?? null) : null;
  const cpuBefore = options.stackHome ? readCpu(options.stackHome) : undefined;
  const loadgenBefore = process.cpuUsage();
  const started = Date.now();
  const shards: Shard[] = Array.from({ length: processes }, (_, index) => {
    const shardOptions: ShardOptions = {
      profile: options.profile,
      target: options.target,
      seed: options.seed,
      prefix: options.prefix,
      events: options.events,
      ratePerSecond: options.ratePerSecond / processes,
      durationSeconds: options.durationSeconds,
      queryUrl: options.queryUrl,
      queryKey: options.queryKey,
      senders: options.senders,
      batchSize: options.batchSize,
      shard: { index, count: processes },
    };
    return processes === 1 ? inlineShard(shardOptions, hooks) : threadShard(shardOptions, hooks);
  });

  // Sampling once a second: rates, lag and freshness since the sample before. One reading
  // of the aggregator at a time: a slow answer leaves the samples after it without one.
  const timeline = new Timeline(started, appliedAtStart);
  // The reading awaited, if any: the report is built once it is in.
  let reading: Promise<void> | undefined;
  const sampler = setInterval(() => {
    const point = timeline.sample(Date.now(), accepted, windowFreshness.splice(0));
    const percent = Math.floor((accepted / Math.max(1, options.events)) * 100);
    const bar = '#'.repeat(Math.floor(percent / 4)).padEnd(25, '.');
    options.onProgress?.(
      `[${bar}] ${percent}% ${accepted}/${options.events} accepted, ${point.acceptedPerSecond}/s, lag ${timeline.lag ?? '?'}, p99 freshness ${freshness.totalCount > 0 ? freshness.getValueAtPercentile(99) : '?'} ms`,
    );
    if (!metricsUrl || reading) return;
    reading = readAggregator(metricsUrl).then((answer) => {
      reading = undefined;
      if (answer) timeline.read(point, Date.now(), answer);
    });
  }, 1_000);

  const settled = await Promise.allSettled(shards.map((s) => s.sent));
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    clearInterval(sampler);
    await Promise.all(shards.map((s) => s.close()));
    throw (failed as PromiseRejectedResult).reason;
  }
  const sent = settled.map((s) => (s as PromiseFulfilledResult<SentShard>).value);
  const sendSeconds = (Date.now() - started) / 1000;
  const truth = new GroundTruth();
  for (const shard of sent) for (const [key, value] of shard.onHand) truth.onHand.set(key, value);

  // Drain: the platform has applied everything once the query API shows the ground truth,
  // or nothing changes any more; then the differences, if any, are final.
  const drainStarted = Date.now();
  let differences: string[] = [];
  let compared = { locations: 0, skus: 0 };
  // A comparison reads every sku of the run through the query API, on the machine being
  // measured: it is made once the aggregator reports no lag (cheap to ask), and while it
  // catches up only once a minute (a lag metric that never reaches 0 cannot hang the run).
  let lastCompare = Date.now();
  await waitFor(
    async () => {
      // The sampler's newest reading: a reading of its own here would reset the event-loop
      // figure the sampler reports, and read the aggregator five times as often.
      const lag = metricsUrl ? timeline.lag : 0;
      if (lag !== 0 && Date.now() - lastCompare < 60_000) return false;
      lastCompare = Date.now();
      ({ differences, compared } = await compare(options, truth));
      return differences.length === 0;
    },
    {
      description: 'the platform to reach the ground truth',
      timeoutMs: options.drainTimeoutMs,
      intervalMs: 200,
    },
  ).catch(() => undefined);
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  clearInterval(sampler);
  await reading;
  await Promise.all(shards.map((s) => s.close()));
  const cpuAfter = options.stackHome ? readCpu(options.stackHome) : undefined;
  const loadgenUsed = process.cpuUsage(loadgenBefore);
  const appliedAtEnd = metricsUrl ? ((await readAggregator(metricsUrl))?.applied ?? null) : null;
  const perEvent = (seconds: number) => ({
    cpuSeconds: Math.round(seconds * 100) / 100,
    microsPerEvent: accepted > 0 ? Math.round((seconds / accepted) * 1e7) / 10 : 0,
  });
  const parts = cpuBefore && cpuAfter ? cpuCost(cpuBefore, cpuAfter, accepted) : undefined;
  return {
    profile: options.profile.name,
    seed: options.seed,
    prefix: options.prefix,
    events: accepted,
    probes: sent.reduce((sum, s) => sum + s.probes, 0),
    senders: options.senders,
    processes,
    batchSize: options.batchSize,
    offeredPerSecond: options.ratePerSecond,
    sendSeconds,
    drainSeconds,
    acceptedPerSecond: Math.round(accepted / sendSeconds),
    appliedPerSecond:
      appliedAtEnd !== null && appliedAtStart !== null
        ? Math.round((appliedAtEnd - appliedAtStart) / timeline.activeSeconds)
        : null,
    aggregatorReadings: metricsUrl ? { samples: timeline.points.length, ...timeline.readings } : null,
    freshnessMs: {
      samples: freshness.totalCount,
      p50: freshness.getValueAtPercentile(50),
      p95: freshness.getValueAtPercentile(95),
      p99: freshness.getValueAtPercentile(99),
      max: freshness.maxValue,
    },
    cpu: parts
      ? {
          parts,
          platform: perEvent(parts.reduce((sum, p) => sum + p.cpuSeconds, 0)),
          loadgen: perEvent((loadgenUsed.user + loadgenUsed.system) / 1e6),
        }
      : null,
    timeline: timeline.points,
    exact: differences.length === 0,
    locationsCompared: compared.locations,
    skusCompared: compared.skus,
    differences: differences.slice(0, 100),
  };
}

/** Every location x sku and every network total of the ground truth, against the query API. */
export async function compare(
  options: Pick<LoadOptions, 'queryUrl' | 'queryKey'>,
  truth: GroundTruth,
): Promise<{ differences: string[]; compared: { locations: number; skus: number } }> {
  const totals = truth.totals();
  const skus = [...totals.keys()];
  const bySku = new Map<string, Map<string, number>>();
  for (const [key, value] of truth.onHand) {
    const at = key.indexOf('|');
    const sku = key.slice(0, at);
    if (!bySku.has(sku)) bySku.set(sku, new Map());
    bySku.get(sku)?.set(key.slice(at + 1), value);
  }
  const differences: string[] = [];
  let locations = 0;
  for (let i = 0; i < skus.length; i += 1000) {
    const response = await fetch(`${options.queryUrl}/v1/availability/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.queryKey}` },
      body: JSON.stringify({ skus: skus.slice(i, i + 1000) }),
    });
    if (!response.ok) throw new Error(`query API: ${response.status} ${await response.text()}`);
    const { results } = (await response.json()) as {
      results: {
        sku: string;
        found: boolean;
        onHand?: number;
        locations?: { locationId: string; onHand: number }[];
      }[];
    };
    for (const result of results) {
      const expectedTotal = totals.get(result.sku) ?? 0;
      if ((result.onHand ?? 0) !== expectedTotal)
        differences.push(
          `${result.sku} network: expected ${expectedTotal}, query API ${result.found ? result.onHand : 'unknown sku'}`,
        );
      const expectedHere = bySku.get(result.sku) ?? new Map<string, number>();
      const seen = new Set<string>();
      for (const location of result.locations ?? []) {
        seen.add(location.locationId);
        const expected = expectedHere.get(location.locationId);
        if (expected !== location.onHand)
          differences.push(
            `${result.sku} at ${location.locationId}: expected ${expected ?? 'nothing'}, query API ${location.onHand}`,
          );
      }
      for (const [locationId, expected] of expectedHere) {
        locations++;
        if (!seen.has(locationId))
          differences.push(`${result.sku} at ${locationId}: expected ${expected}, query API nothing`);
      }
    }
  }
  return { differences, compared: { locations, skus: skus.length } };
}
