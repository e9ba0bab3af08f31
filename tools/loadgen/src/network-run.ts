import { delay } from '@inventory/core';
import * as hdr from 'hdr-histogram-js';
import { compare } from './run.ts';
import { postEvents, skuHash } from './shard.ts';
import { GroundTruth, generate, type LoadEvent, type Profile } from './workload.ts';

/**
 * A load over the data centres of `npm start -- --dcs 3`: every location has one home data
 * centre, and each event goes to its location's home's ingest API, as a store's tills would.
 * Once sent, every data centre's query API is compared with the ground truth of all events
 * (the network view: its own locations and the copies of the others'), and the time each takes
 * to get there is its convergence. Meanwhile probes measure the replication delay: a receipt
 * accepted in one data centre, until each data centre's query API answers it.
 */

export interface Site {
  dataCentre: string;
  ingestUrl: string;
  queryUrl: string;
}

export interface NetworkLoadOptions {
  sites: Site[];
  /** The ingest token (one that may send for every location) and the query API key. */
  token: string;
  queryKey: string;
  profile: Profile;
  seed: number;
  prefix: string;
  events: number;
  /** Events per second offered over all data centres; 0 as fast as they are taken. */
  ratePerSecond: number;
  /** Concurrent clients per data centre, each with its own skus. */
  senders: number;
  batchSize: number;
  /** A probe every this many milliseconds, from each data centre in turn. */
  probeIntervalMs: number;
  drainTimeoutMs: number;
  onProgress?: (line: string) => void;
}

export interface Percentiles {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface NetworkLoadReport {
  profile: string;
  seed: number;
  prefix: string;
  events: number;
  sendSeconds: number;
  acceptedPerSecond: number;
  /** Events each data centre took: those of the locations it is home to. */
  eventsByDataCentre: Record<string, number>;
  /** Probe receipt accepted in its home until that data centre's query API answers it. */
  localFreshnessMs: Percentiles;
  /** Probe receipt accepted in its home until another data centre's query API answers it. */
  replicationDelayMs: Percentiles;
  /** From the last event accepted until the data centre answered every location x sku exactly. */
  convergence: {
    dataCentre: string;
    seconds: number;
    exact: boolean;
    locationsCompared: number;
    skusCompared: number;
    differences: string[];
  }[];
  exact: boolean;
}

/** The home of a location among the data centres: fixed by its id, the same in every run. */
export function homeOf(locationId: string, dataCentres: readonly string[]): string {
  return dataCentres[skuHash(locationId) % dataCentres.length] as string;
}

/** A probe's poll interval: the delays measured are this fine. */
const probePollMs = 50;
const probeGiveUpMs = 60_000;

const histogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
const percentiles = (h: ReturnType<typeof histogram>): Percentiles => ({
  samples: h.totalCount,
  p50: h.getValueAtPercentile(50),
  p99: h.getValueAtPercentile(99),
  max: h.maxValue,
});

const post = (site: Site, token: string, batch: LoadEvent[]) => postEvents(site.ingestUrl, token, batch);

/** The onHand a query API answers for a sku at a location, or undefined before it knows it. */
async function onHandAt(
  site: Site,
  key: string,
  sku: string,
  locationId: string,
): Promise<number | undefined> {
  const response = await fetch(`${site.queryUrl}/v1/availability/${encodeURIComponent(sku)}`, {
    headers: { authorization: `Bearer ${key}` },
  }).catch(() => undefined);
  if (!response?.ok) {
    await response?.arrayBuffer();
    return undefined;
  }
  const body = (await response.json()) as { locations?: { locationId: string; onHand: number }[] };
  return body.locations?.find((l) => l.locationId === locationId)?.onHand;
}

export async function runNetworkLoad(options: NetworkLoadOptions): Promise<NetworkLoadReport> {
  const dataCentres = options.sites.map((s) => s.dataCentre);
  const truth = new GroundTruth();
  const local = histogram();
  const remote = histogram();
  const eventsByDataCentre = Object.fromEntries(dataCentres.map((dc) => [dc, 0]));
  let accepted = 0;
  let failure: Error | undefined;
  let done = false;
  const started = Date.now();

  // Senders: per data centre, each owning the skus that hash to it, so every sku's events at
  // a location reach its home in generation order.
  const queues = options.sites.map(() => Array.from({ length: options.senders }, () => [] as LoadEvent[][]));
  const buffers = options.sites.map(() => Array.from({ length: options.senders }, () => [] as LoadEvent[]));
  const sender = async (d: number, i: number) => {
    const site = options.sites[d] as Site;
    const queue = queues[d]?.[i] as LoadEvent[][];
    while (!failure) {
      const batch = queue.shift();
      if (!batch) {
        if (done) return;
        await delay(2);
        continue;
      }
      await post(site, options.token, batch);
      accepted += batch.length;
      eventsByDataCentre[site.dataCentre] = (eventsByDataCentre[site.dataCentre] ?? 0) + batch.length;
    }
  };
  const senders = options.sites.flatMap((_, d) =>
    Array.from({ length: options.senders }, (_, i) =>
      sender(d, i).catch((error: unknown) => {
        failure = error as Error;
      }),
    ),
  );

  // Probes: a receipt of the source's own probe sku at its own probe location, one in flight
  // per source, then polled in every data centre until each answers it.
  let probing = true;
  const probe = async (source: number, n: number) => {
    const site = options.sites[source] as Site;
    const sku = `${options.prefix}-NETPROBE-${site.dataCentre}`;
    const locationId = `${options.prefix}-PROBE-${site.dataCentre}`;
    await post(site, options.token, [
      {
        eventId: `${options.prefix}-netprobe-${site.dataCentre}-${n}`,
        type: 'RECEIPT',
        sku,
        locationId,
        quantity: 1,
        occurredAt: new Date().toISOString(),
      },
    ]);
    const acceptedAt = Date.now();
    await Promise.all(
      options.sites.map(async (viewer) => {
        for (;;) {
          const seen = await onHandAt(viewer, options.queryKey, sku, locationId);
          const waited = Date.now() - acceptedAt;
          if ((seen !== undefined && seen >= n) || waited >= probeGiveUpMs) {
            (viewer === site ? local : remote).recordValue(Math.max(1, Math.min(waited, probeGiveUpMs)));
            return;
          }
          await delay(probePollMs);
        }
      }),
    );
  };
  const probes = options.sites.map(async (_, source) => {
    // The sources take turns: one probe every probeIntervalMs over all of them.
    await delay((options.probeIntervalMs * source) / options.sites.length);
    for (let n = 1; probing; n++) {
      const begun = Date.now();
      await probe(source, n).catch((error: unknown) => {
        failure ??= error as Error;
      });
      await delay(Math.max(0, options.probeIntervalMs - (Date.now() - begun)));
    }
  });

  const progress = setInterval(() => {
    const percent = Math.floor((accepted / Math.max(1, options.events)) * 100);
    options.onProgress?.(
      `${percent}% ${accepted}/${options.events} accepted; replication p99 ${remote.totalCount > 0 ? remote.getValueAtPercentile(99) : '?'} ms (${remote.totalCount} probes)`,
    );
  }, 1_000);

  let generated = 0;
  for (const event of generate(options.profile, options.seed, {
    count: options.events,
    prefix: options.prefix,
  })) {
    if (failure) break;
    truth.apply(event);
    const d = dataCentres.indexOf(homeOf(event.locationId, dataCentres));
    const i = skuHash(event.sku) % options.senders;
    const buffer = buffers[d]?.[i] as LoadEvent[];
    buffer.push(event);
    generated++;
    if (buffer.length >= options.batchSize) {
      queues[d]?.[i]?.push(buffer.splice(0));
      while (queues.flat().reduce((sum, q) => sum + q.length, 0) > options.sites.length * options.senders * 4)
        await delay(5);
    }
    if (options.ratePerSecond > 0 && generated % 100 === 0) {
      const due = started + (generated / options.ratePerSecond) * 1000;
      if (due > Date.now()) await delay(due - Date.now());
    }
  }
  for (const [d, perSender] of buffers.entries())
    for (const [i, buffer] of perSender.entries())
      if (buffer.length > 0) queues[d]?.[i]?.push(buffer.splice(0));
  done = true;
  await Promise.all(senders);
  const sentAt = Date.now();
  if (failure) {
    probing = false;
    clearInterval(progress);
    throw failure;
  }

  // Convergence: each data centre compared until it answers the ground truth (or the deadline).
  const convergence = await Promise.all(
    options.sites.map(async (site) => {
      let result = await compare({ queryUrl: site.queryUrl, queryKey: options.queryKey }, truth);
      while (result.differences.length > 0 && Date.now() - sentAt < options.drainTimeoutMs) {
        await delay(250);
        result = await compare({ queryUrl: site.queryUrl, queryKey: options.queryKey }, truth);
      }
      return {
        dataCentre: site.dataCentre,
        seconds: (Date.now() - sentAt) / 1000,
        exact: result.differences.length === 0,
        locationsCompared: result.compared.locations,
        skusCompared: result.compared.skus,
        differences: result.differences.slice(0, 100),
      };
    }),
  );
  probing = false;
  await Promise.all(probes);
  clearInterval(progress);
  const sendSeconds = (sentAt - started) / 1000;
  return {
    profile: options.profile.name,
    seed: options.seed,
    prefix: options.prefix,
    events: accepted,
    sendSeconds,
    acceptedPerSecond: Math.round(accepted / Math.max(0.001, sendSeconds)),
    eventsByDataCentre,
    localFreshnessMs: percentiles(local),
    replicationDelayMs: percentiles(remote),
    convergence,
    exact: convergence.every((c) => c.exact),
  };
}
