import { createHash } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { SkuAvailability } from '@inventory/codec';
import { bearerToken, type Logger, RateLimiter } from '@inventory/core';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Counter, Registry } from 'prom-client';
import type { ApiKeyStore, Scope } from './api-keys.ts';
import { decodeEventId, SseSession } from './changes/session.ts';
import type { QueryConfig } from './config.ts';
import { HttpError, sendError } from './http/errors.ts';
import { getAssortment, getChanges, getLocationSku, getSku, postBatch } from './http/schemas.ts';
import type { ReadModel } from './read-model.ts';
import { reservationRoutes } from './reservations/routes.ts';
import type { Reservations } from './reservations/service.ts';
import { discontinuedView, locationView, skuView, totalsView } from './views.ts';

export interface QueryDeps {
  config: QueryConfig;
  readModel: ReadModel;
  keys: ApiKeyStore;
  regionOf: (locationId: string) => string;
  metrics: { registry: Registry; requests: Counter<'route' | 'status'>; sseDropped?: Counter };
  changes: { subscribe(listener: (change: SkuAvailability) => void): () => void };
  ready: () => Promise<boolean>;
  logger: Logger;
  /** Reservations and orders; without it those routes are not served. */
  reservations?: Reservations;
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

export async function buildApp(deps: QueryDeps): Promise<FastifyInstance> {
  const { config, readModel } = deps;
  const limiter = new RateLimiter(config.RATE_PER_SECOND, config.RATE_BURST);
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'inventory-query-api',
        version: '1',
        description: 'Availability for the web shop and the stores.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.setErrorHandler((error, _request, reply) => sendError(reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new HttpError(404, 'not_found', `no route ${request.method} ${request.url}`)),
  );
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.requests.inc({
      route: request.routeOptions.url ?? 'unknown',
      status: String(reply.statusCode),
    });
  });

  const authorize = (scope: Scope) => async (request: FastifyRequest) => {
    const key = bearerToken(request.headers.authorization);
    if (!key)
      throw new HttpError(401, 'unauthenticated', 'send Authorization: Bearer <api key>', {
        'www-authenticate': 'Bearer',
      });
    const client = deps.keys.authenticate(key);
    if (!client)
      throw new HttpError(401, 'invalid_key', 'the API key is not known', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    if (!client.scopes.includes(scope))
      throw new HttpError(403, 'missing_scope', `the API key lacks the scope ${scope}`);
    const wait = limiter.take(client.keyId);
    if (wait > 0)
      throw new HttpError(429, 'rate_limited', 'rate limit exceeded', { 'retry-after': String(wait) });
  };
  const read = authorize('availability:read');
  if (deps.reservations) reservationRoutes(app, deps.reservations, authorize('reservations:write'));

  app.get<{ Params: { sku: string }; Querystring: { locationId?: string[]; region?: string } }>(
    '/v1/availability/:sku',
    { schema: getSku, onRequest: read },
    async (request, reply) => {
      const [stored, [discontinuedAt]] = await Promise.all([
        readModel.sku(request.params.sku),
        readModel.discontinued([request.params.sku]),
      ]);
      if (!stored)
        throw new HttpError(404, 'unknown_sku', `no stock was ever recorded for sku ${request.params.sku}`);
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
        config.CACHE_MAX_AGE_SECONDS,
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
        throw new HttpError(
          404,
          'unknown_sku_at_location',
          `no stock was ever recorded for sku ${sku} at ${locationId}`,
        );
      return sendCached(
        request,
        reply,
        { sku, ...locationView(locationId, state), ...discontinuedView(discontinuedAt) },
        config.CACHE_MAX_AGE_SECONDS,
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
      return sendCached(request, reply, body, config.CACHE_MAX_AGE_SECONDS);
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
      raw.write(`retry: ${config.SSE_RETRY_MS}\n\n`);
      streams.add(raw);
      const session = new SseSession(
        raw,
        skus,
        decodeEventId(typeof lastEventId === 'string' ? lastEventId : undefined),
        config.SSE_MAX_BUFFER_BYTES,
        () => deps.metrics.sseDropped?.inc(),
      );
      // Live changes are subscribed before the snapshot is read, so nothing falls between
      // the two; the session drops whatever is not newer than what it already sent.
      const unsubscribe = deps.changes.subscribe((change) => session.send(change));
      const heartbeat = setInterval(() => session.heartbeat(), config.SSE_HEARTBEAT_MS);
      raw.on('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        session.close();
        streams.delete(raw);
      });
      for (const stored of await readModel.skus([...skus])) if (stored?.total) session.send(stored.total);
    },
  );

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const ready = await deps.ready().catch(() => false);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  return app;
}
