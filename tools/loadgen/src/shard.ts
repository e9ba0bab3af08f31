import { backoffDelay, delay } from '@inventory/core';
import { GroundTruth, generate, type LoadEvent, type Profile } from './workload.ts';

/** Where events go: the public ingest API, or straight into the canonical topic (replay speed). */
export type LoadTarget =
  | { kind: 'ingest'; url: string; token: string }
  | { kind: 'kafka'; send: (events: LoadEvent[]) => Promise<void> };

/** One shard of a run: the skus whose hash falls on `index` of `count`, and their probes. */
export interface ShardOptions {
  profile: Profile;
  target: LoadTarget;
  seed: number;
  prefix: string;
  /** Events of the whole run; a shard sends its share of them. */
  events: number;
  /** Events per second this shard offers; 0 as fast as they are taken. */
  ratePerSecond: number;
  durationSeconds?: number;
  queryUrl: string;
  queryKey: string;
  senders: number;
  batchSize: number;
  shard: { index: number; count: number };
}

export interface ShardHooks {
  /** Events accepted (202) by the platform, as they are. */
  onAccepted(count: number): void;
  /** A probe seen on the change feed this many milliseconds after its 202. */
  onFreshness(ms: number): void;
}

export interface ShardResult {
  accepted: number;
  probes: number;
  /** Expected onHand per `${sku}|${locationId}` of what this shard sent (its skus only). */
  onHand: Map<string, number>;
}

export interface SentShard extends ShardResult {
  /** Ends the probes' change feed (once the platform drained). */
  close(): void;
}

/**
 * One batch to the ingest API (`POST <url>/v1/events`), until it answers 202: 503 and 429,
 * and a connection that fails, are retried with backoff and jitter; any other answer fails.
 */
export async function postEvents(url: string, token: string, batch: LoadEvent[]): Promise<void> {
  const body = JSON.stringify({ events: batch });
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    }).catch((error: unknown) => error as Error);
    if (!(response instanceof Error) && response.status === 202) {
      await response.arrayBuffer();
      return;
    }
    const retriable = response instanceof Error || response.status === 503 || response.status === 429;
    if (!retriable || attempt >= 20) {
      throw new Error(
        `ingest ${url} refused a batch: ${response instanceof Error ? response.message : `${response.status} ${await response.text()}`}`,
      );
    }
    if (!(response instanceof Error)) await response.arrayBuffer();
    await delay(backoffDelay({ initialMs: 50, maxMs: 2_000, factor: 2, retries: 20 }, attempt));
  }
}

/** FNV-1a: which shard and which sender of a shard a sku belongs to. */
export function skuHash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const probeLocation = 'LG-STORE-0001';
/** A probe not seen within this long counts as this long, and probing goes on. */
const probeGiveUpMs = 60_000;

/**
 * Offers one shard of the workload in batches from `senders` concurrent clients. Each sku
 * belongs to one client, which sends its batches one after the other, so every sku's events
 * reach Kafka in generation order and the platform must end exactly at the ground truth.
 * Freshness is measured with probe events: every tenth batch of a client carries a receipt
 * of that client's probe sku; from its 202 until the query API's change feed shows it.
 */
export async function sendShard(options: ShardOptions, hooks: ShardHooks): Promise<SentShard> {
  const { shard } = options;
  const truth = new GroundTruth();
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

  const probeSku = (i: number) => `${options.prefix}-PROBE-${shard.index}-${i}`;
  // Probes are seen through the query API's change feed: pushed, so measuring costs no
  // polling and no rate limit, and it is what a web shop subscribed to a sku would see.
  const pending = new Map<string, { expected: number; acceptedAt: number; index: number }>();
  const feed = new AbortController();
  await watchChanges(
    options,
    Array.from({ length: options.senders }, (_, i) => probeSku(i)),
    feed.signal,
    (sku, onHand) => {
      const probe = pending.get(sku);
      if (!probe || probe.acceptedAt === 0 || onHand < probe.expected) return;
      hooks.onFreshness(Math.max(1, Date.now() - probe.acceptedAt));
      pending.delete(sku);
      probes[probe.index] = { sent: probe.expected, polling: false };
    },
  );
  const giveUp = setInterval(() => {
    for (const [sku, probe] of pending) {
      if (probe.acceptedAt > 0 && Date.now() - probe.acceptedAt > probeGiveUpMs) {
        hooks.onFreshness(probeGiveUpMs);
        pending.delete(sku);
        probes[probe.index] = { sent: probe.expected, polling: false };
      }
    }
  }, 1_000);

  const post = async (batch: LoadEvent[]) => {
    const target = options.target;
    if (target.kind === 'kafka') {
      await target.send(batch);
      return;
    }
    await postEvents(target.url, target.token, batch);
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
          eventId: `${options.prefix}-probe-${shard.index}-${i}-${probe.sent + 1}`,
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
      hooks.onAccepted(batch.length);
      if (withProbe) {
        probesSent++;
        const waiting = pending.get(probeSku(i));
        if (waiting && waiting.expected === probe.sent + 1) waiting.acceptedAt = Date.now();
      }
    }
  };
  const senders = Array.from({ length: options.senders }, (_, i) =>
    sender(i).catch((error: unknown) => {
      failure = error as Error;
    }),
  );

  // Dispatch: generation order, this shard's skus, per-sku routing, the rate, bounded queues.
  for (const event of generate(options.profile, options.seed, {
    count: options.events,
    prefix: options.prefix,
  })) {
    if (failure) break;
    if (options.durationSeconds && Date.now() - started >= options.durationSeconds * 1000) break;
    const h = skuHash(event.sku);
    if (h % shard.count !== shard.index) continue;
    truth.apply(event);
    const i = Math.floor(h / shard.count) % options.senders;
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
  const close = () => {
    clearInterval(giveUp);
    feed.abort();
  };
  if (failure) {
    close();
    throw failure;
  }
  // The change feed stays open while the platform drains: the last probes still count.
  return { accepted, probes: probesSent, onHand: truth.onHand, close };
}

/**
 * Subscribes to the query API's change feed for `skus` and calls `onChange` with each new
 * network onHand. Resolves once the stream is open.
 */
async function watchChanges(
  options: Pick<ShardOptions, 'queryUrl' | 'queryKey'>,
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
