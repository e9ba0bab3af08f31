import { createHash } from 'node:crypto';
import type { Location, SkuAvailability } from '@inventory/codec';
import type { ReadModelReader } from '@inventory/read-model';
import { ApiError } from '@inventory/service';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeEventId, SseSession } from '../changes/session.ts';
import type { QueryConfig } from '../config.ts';
import type { QueryMetrics } from '../metrics.ts';
import { discontinuedView, locationView, skuView, totalsView } from '../views.ts';
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
}

/**
 * Caching: an ETag over the exact body lets clients revalidate cheaply (304), and
 * Cache-Control bounds how long any cache, shared or private, may serve it unrevalidated.
 */
function sendCached(request: FastifyRequest, reply: FastifyReply, body: unknown, maxAge: number) {
  // Serialized once: the same bytes are hashed and sent.
  const json = JSON.stringify(body);
  const etag = `"${createHash('sha1').update(json).digest('base64url')}"`;
  reply.header('etag', etag);
  reply.header('cache-control', `public, max-age=${maxAge}, must-revalidate`);
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
  app.get<{ Params: { sku: string }; Querystring: { locationId?: string[]; region?: string } }>(
    '/v1/availability/:sku',
    { schema: getSku, onRequest: read },
    async (request, reply) => {
      const [stored, [discontinuedAt]] = await Promise.all([
        readModel.sku(request.params.sku),
        readModel.discontinued([request.params.sku]),
      ]);
      if (!stored)
        throw new ApiError('UNKNOWN_SKU', `no stock was ever recorded for sku ${request.params.sku}`);
      const filter = {
        ...(request.query.locationId ? { locationIds: request.query.locationId } : {}),
        ...(request.query.region ? { region: request.query.region } : {}),
      };
      return sendCached(
        request,
        reply,
        {
          ...skuView(request.params.sku, stored, filter, deps.regionOf),
          ...discontinuedView(discontinuedAt),
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
      const [state, [discontinuedAt]] = await Promise.all([
        readModel.location(sku, locationId),
        readModel.discontinued([sku]),
      ]);
      if (!state)
        throw new ApiError(
          'UNKNOWN_SKU_AT_LOCATION',
          `no stock was ever recorded for sku ${sku} at ${locationId}`,
        );
      return sendCached(
        request,
        reply,
        { sku, ...locationView(locationId, state), ...discontinuedView(discontinuedAt) },
        deps.config.CACHE_MAX_AGE_SECONDS,
      );
    },
  );

  app.post<{ Body: { skus: string[]; locationIds?: string[]; region?: string; includeLocations: boolean } }>(
    '/v1/availability/batch',
    { schema: postBatch, onRequest: read },
    async (request) => {
      const { skus, locationIds, region, includeLocations } = request.body;
      if (!includeLocations && !locationIds && !region) {
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
      const [stored, discontinued] = await Promise.all([readModel.skus(skus), readModel.discontinued(skus)]);
      return {
        results: skus.map((sku, i) => {
          const found = stored[i];
          if (!found) return { sku, found: false };
          const { locations, ...totals } = {
            ...skuView(sku, found, filter, deps.regionOf),
            ...discontinuedView(discontinued[i]),
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
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.get<{ Querystring: { sku: string[] } }>(
    '/v1/availability/changes',
    { schema: getChanges, onRequest: read },
    async (request, reply) => {
      const skus = new Set(request.query.sku);
      const lastEventId = request.headers['last-event-id'];
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
      raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        session.close();
        streams.delete(raw);
      });
      for (const stored of await readModel.skus([...skus])) if (stored?.total) session.send(stored.total);
    },
  );
}
