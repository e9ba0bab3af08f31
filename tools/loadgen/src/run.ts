import { backoffDelay, delay, waitFor } from '@inventory/core';
import * as hdr from 'hdr-histogram-js';
import { GroundTruth, generate, type LoadEvent, type Profile } from './workload.ts';

/** Where events go: the public ingest API, or straight into the canonical topic (replay speed). */
export type LoadTarget =
  | { kind: 'ingest'; url: string; token: string }
  | { kind: 'kafka'; send: (events: LoadEvent[]) => Promise<void> };

export interface LoadOptions {
  profile: Profile;
  target: LoadTarget;
  seed: number;
  /** Prefix of this run's eventIds and skus. */
  prefix: string;
  events: number;
  /** Events per second to offer; 0 sends as fast as the platform takes them. */
  ratePerSecond: number;
  /** Stop generating after this many seconds, even before `events` (0: no limit). */
  durationSeconds?: number;
  queryUrl: string;
  queryKey: string;
  /** The aggregator's /metrics, for applied events and lag over time (optional). */
  aggregatorMetricsUrl?: string;
  senders: number;
  batchSize: number;
  drainTimeoutMs: number;
  onProgress?: (line: string) => void;
}

export interface TimelinePoint {
  second: number;
  acceptedPerSecond: number;
  appliedPerSecond: number | null;
  lag: number | null;
  freshnessP99Ms: number | null;
}

export interface LoadReport {
  profile: string;
  seed: number;
  prefix: string;
  /** Events accepted, the probes among them. */
  events: number;
  probes: number;
  senders: number;
  batchSize: number;
  sendSeconds: number;
  drainSeconds: number;
  acceptedPerSecond: number;
  appliedPerSecond: number | null;
  freshnessMs: { samples: number; p50: number; p95: number; p99: number; max: number };
  timeline: TimelinePoint[];
  exact: boolean;
  locationsCompared: number;
  skusCompared: number;
  differences: string[];
}

const hash = (text: string) => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};

async function metricSum(url: string, name: string): Promise<number | null> {
  try {
    const text = await (await fetch(url)).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
  } catch {
    return null;
  }
}

/**
 * Offers the workload to the ingest API in batches from `senders` concurrent clients. Each
 * sku belongs to one client, which sends its batches one after the other, so every sku's
 * events reach Kafka in generation order and the platform must end exactly at the ground
 * truth. Freshness is measured with probe events: after a batch with a probe is accepted
 * (202), the probe's sku is polled on the query API until the probe is visible.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  // The ingest takes at most 1000 events per JSON request, and a probe can join a batch.
  if (options.batchSize > 999)
    throw new Error(`batch size ${options.batchSize}: at most 999 (1000 per request, one slot for a probe)`);
  const truth = new GroundTruth();
  const freshness = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000,
    numberOfSignificantValueDigits: 3,
  });
  const windowFreshness: number[] = [];
  const probeLocation = 'LG-STORE-0001';
  const probes = Array.from({ length: options.senders }, () => ({ sent: 0, polling: false }));
  const queues: LoadEvent[][][] = Array.from({ length: options.senders }, () => []);
  const current: LoadEvent[][] = Array.from({ length: options.senders }, () => []);
  let accepted = 0;
  let probesSent = 0;
  let generated = 0;
  let done = false;
  let failure: Error | undefined;
  const started = Date.now();
  let wake: () => void = () => {};

  const probeSku = (i: number) => `${options.prefix}-PROBE-${i}`;
  // Probes are seen through the query API's change feed: pushed, so measuring costs no
  // polling and no rate limit, and it is what a web shop subscribed to a sku would see.
  const pending = new Map<string, { expected: number; acceptedAt: number; index: number }>();
  const feed = new AbortController();
  const feedOpen = watchChanges(
    options,
    Array.from({ length: options.senders }, (_, i) => probeSku(i)),
    feed.signal,
    (sku, onHand) => {
      const probe = pending.get(sku);
      if (!probe || probe.acceptedAt === 0 || onHand < probe.expected) return;
      const ms = Date.now() - probe.acceptedAt;
      freshness.recordValue(Math.max(1, ms));
      windowFreshness.push(ms);
      pending.delete(sku);
      probes[probe.index] = { sent: probe.expected, polling: false };
    },
  );
  await feedOpen;
  const watchProbe = (i: number, expected: number, acceptedAt: number) => {
    const probe = pending.get(probeSku(i));
    if (probe && probe.expected === expected) probe.acceptedAt = acceptedAt;
  };

  const post = async (batch: LoadEvent[]) => {
    const target = options.target;
    if (target.kind === 'kafka') {
      await target.send(batch);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(`${target.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
        body: JSON.stringify({ events: batch }),
      }).catch((error: unknown) => error as Error);
      if (!(response instanceof Error) && response.status === 202) return;
      const retriable = response instanceof Error || response.status === 503 || response.status === 429;
      if (!retriable || attempt >= 20) {
        throw new Error(
          `ingest refused a batch: ${response instanceof Error ? response.message : `${response.status} ${await response.text()}`}`,
        );
      }
      await delay(backoffDelay({ initialMs: 50, maxMs: 2_000, factor: 2, retries: 20 }, attempt));
    }
  };

  const sender = async (i: number) => {
    let batches = 0;
    while (!failure) {
      const batch = queues[i]?.shift();
      if (!batch) {
        if (done) return;
        await new Promise<void>((resolve) => setTimeout(resolve, 2));
        continue;
      }
      wake();
      const probe = probes[i] as { sent: number; polling: boolean };
      const withProbe = !probe.polling && batches++ % 10 === 0;
      if (withProbe) {
        const event: LoadEvent = {
          eventId: `${options.prefix}-probe-${i}-${probe.sent + 1}`,
          type: 'RECEIPT',
          sku: probeSku(i),
          locationId: probeLocation,
          quantity: 1,
          occurredAt: new Date().toISOString(),
        };
        truth.apply(event);
        batch.push(event);
        probe.polling = true;
        pending.set(event.sku, { expected: probe.sent + 1, acceptedAt: 0, index: i });
      }
      await post(batch);
      accepted += batch.length;
      if (withProbe) {
        probesSent++;
        watchProbe(i, probe.sent + 1, Date.now());
      }
    }
  };
  const senders = Array.from({ length: options.senders }, (_, i) =>
    sender(i).catch((error: unknown) => {
      failure = error as Error;
    }),
  );

  // Sampling once a second: rates, lag and freshness of the second.
  const timeline: TimelinePoint[] = [];
  let lastAccepted = 0;
  let lastApplied = options.aggregatorMetricsUrl
    ? await metricSum(options.aggregatorMetricsUrl, 'aggregator_events_applied_total')
    : null;
  const appliedAtStart = lastApplied;
  const sampler = setInterval(() => {
    void (async () => {
      const applied = options.aggregatorMetricsUrl
        ? await metricSum(options.aggregatorMetricsUrl, 'aggregator_events_applied_total')
        : null;
      const lag = options.aggregatorMetricsUrl
        ? await metricSum(options.aggregatorMetricsUrl, 'aggregator_partition_lag')
        : null;
      // A probe not seen within a minute counts as a minute, and probing goes on.
      for (const [sku, probe] of pending) {
        if (probe.acceptedAt > 0 && Date.now() - probe.acceptedAt > 60_000) {
          freshness.recordValue(60_000);
          pending.delete(sku);
          probes[probe.index] = { sent: probe.expected, polling: false };
        }
      }
      const window = windowFreshness.splice(0).sort((a, b) => a - b);
      timeline.push({
        second: timeline.length + 1,
        acceptedPerSecond: accepted - lastAccepted,
        appliedPerSecond: applied !== null && lastApplied !== null ? applied - lastApplied : null,
        lag,
        freshnessP99Ms: window.length > 0 ? (window[Math.floor(window.length * 0.99)] as number) : null,
      });
      lastAccepted = accepted;
      lastApplied = applied;
      const percent = Math.floor((accepted / Math.max(1, options.events)) * 100);
      const bar = '#'.repeat(Math.floor(percent / 4)).padEnd(25, '.');
      options.onProgress?.(
        `[${bar}] ${percent}% ${accepted}/${options.events} accepted, ${timeline.at(-1)?.acceptedPerSecond ?? 0}/s, lag ${lag ?? '?'}, p99 freshness ${freshness.totalCount > 0 ? freshness.getValueAtPercentile(99) : '?'} ms`,
      );
    })();
  }, 1_000);

  // Dispatch: generation order, per-sku routing, the target rate, bounded queues.
  for (const event of generate(options.profile, options.seed, {
    count: options.events,
    prefix: options.prefix,
  })) {
    if (failure) break;
    if (options.durationSeconds && Date.now() - started >= options.durationSeconds * 1000) break;
    truth.apply(event);
    const i = hash(event.sku) % options.senders;
    const buffer = current[i] as LoadEvent[];
    buffer.push(event);
    generated++;
    if (buffer.length >= options.batchSize) {
      queues[i]?.push(buffer.splice(0));
      while (queues.reduce((sum, q) => sum + q.length, 0) > options.senders * 4 && !failure) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    }
    if (options.ratePerSecond > 0 && generated % 100 === 0) {
      const due = started + (generated / options.ratePerSecond) * 1000;
      if (due > Date.now()) await delay(due - Date.now());
    }
  }
  for (const [i, buffer] of current.entries()) if (buffer.length > 0) queues[i]?.push(buffer.splice(0));
  done = true;
  await Promise.all(senders);
  if (failure) {
    clearInterval(sampler);
    feed.abort();
    throw failure;
  }
  const sendSeconds = (Date.now() - started) / 1000;

  // Drain: the platform has applied everything once the query API shows the ground truth,
  // or nothing changes any more; then the differences, if any, are final.
  const drainStarted = Date.now();
  let differences: string[] = [];
  let compared = { locations: 0, skus: 0 };
  await waitFor(
    async () => {
      ({ differences, compared } = await compare(options, truth));
      return differences.length === 0;
    },
    {
      description: 'the platform to reach the ground truth',
      timeoutMs: options.drainTimeoutMs,
      intervalMs: 500,
    },
  ).catch(() => undefined);
  const drainSeconds = (Date.now() - drainStarted) / 1000;
  clearInterval(sampler);
  feed.abort();
  const appliedAtEnd = options.aggregatorMetricsUrl
    ? await metricSum(options.aggregatorMetricsUrl, 'aggregator_events_applied_total')
    : null;
  const activeSeconds = Math.max(1, timeline.filter((t) => (t.appliedPerSecond ?? 0) > 0).length);
  return {
    profile: options.profile.name,
    seed: options.seed,
    prefix: options.prefix,
    events: accepted,
    probes: probesSent,
    senders: options.senders,
    batchSize: options.batchSize,
    sendSeconds,
    drainSeconds,
    acceptedPerSecond: Math.round(accepted / sendSeconds),
    appliedPerSecond:
      appliedAtEnd !== null && appliedAtStart !== null
        ? Math.round((appliedAtEnd - appliedAtStart) / activeSeconds)
        : null,
    freshnessMs: {
      samples: freshness.totalCount,
      p50: freshness.getValueAtPercentile(50),
      p95: freshness.getValueAtPercentile(95),
      p99: freshness.getValueAtPercentile(99),
      max: freshness.maxValue,
    },
    timeline,
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

/**
 * Subscribes to the query API's change feed for `skus` and calls `onChange` with each new
 * network onHand. Resolves once the stream is open.
 */
async function watchChanges(
  options: Pick<LoadOptions, 'queryUrl' | 'queryKey'>,
  skus: string[],
  signal: AbortSignal,
  onChange: (sku: string, onHand: number) => void,
): Promise<void> {
  const query = skus.map((sku) => `sku=${encodeURIComponent(sku)}`).join('&');
  const response = await fetch(`${options.queryUrl}/v1/availability/changes?${query}`, {
    headers: { authorization: `Bearer ${options.queryKey}` },
    signal,
  });
  if (!response.ok || !response.body)
    throw new Error(`change feed: ${response.status} ${await response.text()}`);
  void (async () => {
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += Buffer.from(chunk).toString('utf8');
      let cut = buffer.indexOf('\n\n');
      while (cut >= 0) {
        const data = /^data: (.*)$/m.exec(buffer.slice(0, cut))?.[1];
        buffer = buffer.slice(cut + 2);
        if (data) {
          const change = JSON.parse(data) as { sku: string; onHand: number };
          onChange(change.sku, change.onHand);
        }
        cut = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => {});
}
