import { RateLimiter } from '@inventory/core';
import { KeyLayout, networkSku, ReadModelReader } from '@inventory/read-model';
import type { AppBuilder, HttpService } from '@inventory/service';
import { ApiError, bearerAuthentication, httpApp, httpService, parseRequestJson } from '@inventory/service';
import type { FastifyRequest } from 'fastify';
import type { ApiClient, Scope } from './api-keys.ts';
import type { QueryClients } from './clients.ts';
import type { QueryConfig } from './config.ts';
import { availabilityRoutes } from './http/availability.ts';
import { createMetrics, type QueryMetrics } from './metrics.ts';
import { candidateDataCentres } from './reservations/candidates.ts';
import { reservationRoutes } from './reservations/routes.ts';
import { Reservations } from './reservations/service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key's client, once authenticated and authorized. */
    apiClient?: ApiClient;
  }
}

export type QueryApp = HttpService<QueryMetrics>;

/** Takes settings and clients, so tests build the API against the real Redis and Kafka. */
export const buildQueryApi: AppBuilder<QueryConfig, QueryClients, QueryApp> = async (
  config,
  clients,
  context,
) => {
  const metrics = createMetrics();
  const checks = { redis: async () => (await clients.redis.ping()) === 'PONG' };
  const app = await httpApp({
    ...context,
    registry: metrics.registry,
    checks,
    docs: { title: 'inventory-query-api', description: 'Availability for the web shop and the stores.' },
    settings: config,
    errors: { retryAfterSeconds: config.RETRY_AFTER_SECONDS, mediaTypes: 'application/json' },
    fastify: { ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } } },
  });

  // JSON without repeated or __proto__ keys (parseRequestJson), read the same way as the ingest does.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseRequestJson(body as string));
    } catch (error) {
      done(error as Error);
    }
  });

  const authenticate = bearerAuthentication({
    secret: 'API key',
    lookup: (key) => clients.keys.authenticate(key),
    limiter: new RateLimiter(config.RATE_PER_SECOND, config.RATE_BURST),
    clientKey: (client) => client.keyId,
  });
  const authorize = (scope: Scope) => async (request: FastifyRequest) => {
    const client = authenticate(request);
    if (!client.scopes.includes(scope))
      throw new ApiError('MISSING_SCOPE', `the API key lacks the scope ${scope}`);
    request.apiClient = client;
  };

  const readModel = new ReadModelReader(clients.redis, config.REDIS_PREFIX, clients.partitions);
  const peers = config.PEER_DATA_CENTRES ?? [];
  availabilityRoutes(
    app,
    {
      config,
      readModel,
      regionOf: clients.regionOf,
      locations: clients.locations,
      changes: clients.changes,
      metrics,
      keyOf: (request) => request.apiClient?.keyId ?? '',
    },
    authorize('availability:read'),
  );
  const reservations = new Reservations({
    settings: config,
    codec: clients.codec,
    redis: clients.redis,
    keys: new KeyLayout(config.REDIS_PREFIX, clients.partitions),
    dataCentre: config.DATA_CENTRE,
    channels: new Map([
      [config.DATA_CENTRE, { producer: clients.producer, outcomes: clients.outcomes }],
      ...clients.peerChannels,
    ]),
    // With one data centre every location is decided here, whatever master data names.
    homeOf: peers.length > 0 ? clients.dataCentreOf : () => undefined,
    ...(peers.length > 0
      ? {
          candidates: async (sku: string, quantity: number) => {
            const [[local], [parts]] = await Promise.all([
              readModel.skus([sku]),
              readModel.peers([sku], peers),
            ]);
            return candidateDataCentres(
              networkSku(sku, local, config.DATA_CENTRE, parts ?? [], clients.regionOf),
              quantity,
            );
          },
        }
      : {}),
  });
  reservationRoutes(app, reservations, authorize('reservations:write'));
  return httpService(app, metrics, checks);
};
