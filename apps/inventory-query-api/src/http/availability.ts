import { hash } from 'node:crypto';
import type { Location, SkuAvailability } from '@inventory/codec';
import { freshnessOf, networkSku, type ReadModelReader, type StoredSku } from '@inventory/read-model';
import { ApiError } from '@inventory/service';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeEventId, SseSession } from '../changes/session.ts';
import type { QueryConfig } from '../config.ts';
import type { QueryMetrics } from '../metrics.ts';
import {
  type DataCentreView,
  dataCentreViews,
  discontinuedView,
  locationView,
  skuView,
  totalsView,
} from '../views.ts';
import { getAssortment, getChanges, getLocationSku, getLocations, getSku, postBatch } from './schemas.ts';

export interface AvailabilityDeps {
  config: QueryConfig;
  readModel: ReadModelReader;
  regionOf: (locationId: string) => string;
  locations: () => Location[];
  changes: {
    subscribeKeys(skus: Iterable<string>, listener: (change: SkuAvailability) => void): () => void;
  };
  metrics: QueryMetrics;
  /** The API key a request was authenticated with (its keyId): change streams are capped per key. */
  keyOf: (request: FastifyRequest) => string;
}

/**
 * Caps on open change streams, per API key (429: that key holds its share) and in all (503:
 * this instance is full; another may not be). Each stream holds a socket, a subscription and
 * up to SSE_MAX_BUFFER_BYTES unsent, so the total bounds the instance's memory.
 */
export class StreamLimits {
  private readonly byKey = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly perKey: number,
    private readonly max: number,
  ) {}

  /** Takes a stream of `key`, or throws the refusal; returns the function that gives it back. */
  take(key: string): () => void {
    const held = this.byKey.get(key) ?? 0;
    if (held >= this.perKey)
      throw new ApiError(
        'TOO_MANY_STREAMS',
        `this API key holds ${held} change streams, the most it may; close one before opening another`,
        { headers: { 'retry-after': '5' }, extra: { limit: this.perKey, scope: 'key' } },
      );
    if (this.total >= this.max)
      throw new ApiError(
        'STREAMS_EXHAUSTED',
        `this instance serves ${this.total} change streams, the most it holds; retry (another instance may take it)`,
        { headers: { 'retry-after': '5' }, extra: { limit: this.max, scope: 'instance' } },
      );
    this.byKey.set(key, held + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.byKey.get(key) ?? 1) - 1;
      if (left > 0) this.byKey.set(key, left);
      else this.byKey.delete(key);
    };
  }

  get open(): number {
    return this.total;
  }
}

/**
 * Caching: an ETag over the exact body lets clients revalidate cheaply (304), and
 * Cache-Control bounds how long the caller's own cache may serve it unrevalidated. Every
 * answer needs an API key, so it is `private` (no shared cache may keep it and hand it to
 * another caller) and varies by Authorization (a cache keyed by URL alone must not answer
 * one key with what another was given).
 */
function sendCached(request: FastifyRequest, reply: FastifyReply, body: unknown, maxAge: number) {
  // Serialized once: the same bytes are hashed and sent.
  const json = JSON.stringify(body);
  const etag = `"${hash('sha1', json, 'base64url')}"`;
  reply.header('etag', etag);
  reply.header('cache-control', `private, max-age=${maxAge}, must-revalidate`);
  reply.header('vary', 'Authorization');
  const match = request.headers['if-none-match'];
  if (match?.split(',').some((m) => m.trim() === etag || m.trim() === `W/${etag}`)) {
    return reply.status(304).send();
  }
  return reply.type('application/json; charset=utf-8').send(json);
}

const cursorOf = (sku: string) => Buffer.from(sku, 'utf8').toString('base64url');
const skuOf = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

/** "How many are available, here and everywhere": the read routes of the web shop and the stores. */
export function availabilityRoutes(
  app: FastifyInstance,
  deps: AvailabilityDeps,
  read: (request: FastifyRequest) => Promise<void>,
): void {
  const { readModel } = deps;
  const dataCentre = deps.config.DATA_CENTRE;
  const peers = deps.config.PEER_DATA_CENTRES ?? [];
  /**
   * The skus as this data centre answers them: its own state, and with peers the network
   * view (read-model network.ts) with each data centre's freshness.
   */
  const skusOf = async (
    skus: string[],
  ): Promise<{ stored: StoredSku | undefined; dataCentres?: DataCentreView[] }[]> => {
    if (peers.length === 0) return (await readModel.skus(skus)).map((stored) => ({ stored }));
    const [local, parts, clock] = await Promise.all([
      readModel.skus(skus),
      readModel.peers(skus, peers),
      readModel.peerClock(),
    ]);
    const now = Date.now();
    return skus.map((sku, i) => {
      const stored = networkSku(sku, local[i], dataCentre, parts[i] ?? [], deps.regionOf);
      const freshness = freshnessOf(stored, dataCentre, peers, clock, now, deps.config.PEER_STALE_MS);
      return { stored, dataCentres: dataCentreViews(freshness) };
    });
  };

  app.get<{ Params: { sku: string }; Querystring: { locationId?: string[]; region?: string } }>(
    '/v1/availability/:sku',
    { schema: getSku, onRequest: read },
    async (request, reply) => {
      const [[found], [discontinuedAt]] = await Promise.all([
        skusOf([request.params.sku]),
        readModel.discontinued([request.params.sku]),
      ]);
      if (!found?.stored)
        throw new ApiError('UNKNOWN_SKU', `no stock was ever recorded for sku ${request.params.sku}`);
      const filter = {
        ...(request.query.locationId ? { locationIds: request.query.locationId } : {}),
        ...(request.query.region ? { region: request.query.region } : {}),
      };
      return sendCached(
        request,
        reply,
        {
          ...skuView(request.params.sku, found.stored, filter, deps.regionOf),
          ...discontinuedView(discontinuedAt),
          ...(found.dataCentres ? { dataCentres: found.dataCentres } : {}),
        },
        deps.config.CACHE_MAX_AGE_SECONDS,
      );
    },
  );

  app.get<{ Params: { locationId: string; sku: string } }>(
    '/v1/locations/:locationId/availability/:sku',
    { schema: getLocationSku, onRequest: read },
    async (request, reply) => {
      const { locationId, sku } = request.params;
      const [local, [discontinuedAt]] = await Promise.all([
        readModel.location(sku, locationId),
        readModel.discontinued([sku]),
      ]);
      // Not held here: another data centre's location, whose copy this one keeps.
      let state = local;
      let home: string | undefined;
      if (!state && peers.length > 0) {
        const [parts] = await readModel.peers([sku], peers);
        const part = parts?.find((p) => p.locations.has(locationId));
        state = part?.locations.get(locationId);
        home = part?.dataCentre;
      }
      if (!state)
        throw new ApiError(
          'UNKNOWN_SKU_AT_LOCATION',
          `no stock was ever recorded for sku ${sku} at ${locationId}`,
        );
      return sendCached(
        request,
        reply,
        {
          sku,
          ...locationView(locationId, state, peers.length > 0 ? (home ?? dataCentre) : undefined),
          ...discontinuedView(discontinuedAt),
        },
        deps.config.CACHE_MAX_AGE_SECONDS,
      );
    },
  );

  app.post<{ Body: { skus: string[]; locationIds?: string[]; region?: string; includeLocations: boolean } }>(
    '/v1/availability/batch',
    { schema: postBatch, onRequest: read },
    async (request) => {
      const { skus, locationIds, region, includeLocations } = request.body;
      if (!includeLocations && !locationIds && !region && peers.length === 0) {
        // Network totals are one field per sku; reading every location would cost 50 times more.
        const [totals, discontinued] = await Promise.all([
          readModel.totals(skus),
          readModel.discontinued(skus),
        ]);
        return {
          results: skus.map((sku, i) => {
            const total = totals[i];
            return total
              ? { found: true, ...totalsView(total), ...discontinuedView(discontinued[i]) }
              : { sku, found: false };
          }),
        };
      }
      const filter = { ...(locationIds ? { locationIds } : {}), ...(region ? { region } : {}) };
      const [stored, discontinued] = await Promise.all([skusOf(skus), readModel.discontinued(skus)]);
      return {
        results: skus.map((sku, i) => {
          const found = stored[i];
          if (!found?.stored) return { sku, found: false };
          const { locations, ...totals } = {
            ...skuView(sku, found.stored, filter, deps.regionOf),
            ...discontinuedView(discontinued[i]),
            ...(found.dataCentres ? { dataCentres: found.dataCentres } : {}),
          };
          return includeLocations ? { found: true, ...totals, locations } : { found: true, ...totals };
        }),
      };
    },
  );

  // The master data a client needs to name, group and choose locations (the console's region
  // and location pickers); read-only, from the compacted topic this instance already reads.
  app.get('/v1/locations', { schema: getLocations, onRequest: read }, async (request, reply) =>
    sendCached(request, reply, { locations: deps.locations() }, deps.config.CACHE_MAX_AGE_SECONDS),
  );

  app.get<{ Params: { locationId: string }; Querystring: { cursor?: string; limit: number } }>(
    '/v1/locations/:locationId/availability',
    { schema: getAssortment, onRequest: read },
    async (request, reply) => {
      const { locationId } = request.params;
      // Ajv's coercion turns "1e400" into Infinity and lets it pass integer and maximum.
      if (!Number.isSafeInteger(request.query.limit))
        throw new ApiError('INVALID_REQUEST', 'invalid parameters', {
          details: [{ path: 'querystring/limit', message: 'must be an integer from 1 to 500' }],
        });
      const page = await readModel.assortment(
        locationId,
        request.query.cursor ? skuOf(request.query.cursor) : undefined,
        request.query.limit,
      );
      const body = {
        locationId,
        items: page.items.map(({ sku, state }) => ({ sku, ...locationView(locationId, state) })),
        nextCursor: page.next ? cursorOf(page.next) : null,
      };
      return sendCached(request, reply, body, deps.config.CACHE_MAX_AGE_SECONDS);
    },
  );

  // Open event streams end when the server closes, so that close() does not wait on them.
  const streams = new Set<{ end(): void }>();
  const streamLimits = new StreamLimits(deps.config.SSE_MAX_STREAMS_PER_KEY, deps.config.SSE_MAX_STREAMS);
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.get<{ Querystring: { sku: string[] } }>(
    '/v1/availability/changes',
    { schema: getChanges, onRequest: read },
    async (request, reply) => {
      const skus = new Set(request.query.sku);
      const lastEventId = request.headers['last-event-id'];
      // Taken before the stream opens, given back when it closes however it ends.
      let release: () => void;
      try {
        release = streamLimits.take(deps.keyOf(request));
      } catch (error) {
        deps.metrics.sseRefused.inc({ scope: (error as ApiError).extra.scope as string });
        throw error;
      }
      deps.metrics.sseOpen.set(streamLimits.open);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // Headers and a first line go out at once: a client of skus without state yet must not
      // wait for their first change to learn that it is subscribed.
      raw.write(`retry: ${deps.config.SSE_RETRY_MS}\n\n`);
      streams.add(raw);
      const session = new SseSession(
        raw,
        skus,
        decodeEventId(typeof lastEventId === 'string' ? lastEventId : undefined),
        deps.config.SSE_MAX_BUFFER_BYTES,
        () => deps.metrics.sseDropped.inc(),
      );
      // Live changes are subscribed before the snapshot is read, so nothing falls between
      // the two; the session drops whatever is not newer than what it already sent.
      const unsubscribe = deps.changes.subscribeKeys(skus, (change) => session.send(change));
      const heartbeat = setInterval(() => session.heartbeat(), deps.config.SSE_HEARTBEAT_MS);
      const closed = () => {
        release();
        deps.metrics.sseOpen.set(streamLimits.open);
        clearInterval(heartbeat);
        unsubscribe();
        session.close();
        streams.delete(raw);
      };
      raw.on('close', closed);
      // A client gone before the stream was set up has no close left to come.
      if (request.raw.socket?.destroyed) closed();
      // The stream is open: a read model that fails now ends it (the client reconnects with
      // Last-Event-ID) instead of answering an error on a response already begun.
      const snapshot = await readModel.skus([...skus]).catch((error: unknown) => {
        request.log.warn({ err: error }, 'change stream snapshot failed; stream closed');
        raw.destroy();
        return [];
      });
      for (const stored of snapshot) if (stored?.total) session.send(stored.total);
    },
  );
}
