import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { bearerToken, type Logger, RateLimiter } from '@inventory/core';
import { clientEventIdentity, type InventoryEvent } from '@inventory/domain';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { forbiddenLocations, type IngestClient, type TokenStore } from './auth/tokens.ts';
import type { IngestConfig } from './config.ts';
import { eventsOfJson, parseJsonBody, parseNdjson } from './events/body.ts';
import { defaultLimits, type StoreEvent, validateEvents } from './events/validate.ts';
import { ApiError, logIfServerError, sendError, toApiError } from './http/errors.ts';
import { postEventsSchema } from './http/openapi.ts';
import type { IngestMetrics } from './metrics.ts';
import type { EventPublisher } from './publish/publisher.ts';

export interface IngestDeps {
  config: IngestConfig;
  publisher: EventPublisher;
  tokens: TokenStore;
  metrics: IngestMetrics;
  /** True when Kafka answers; backs /readyz. */
  kafkaReady: () => Promise<boolean>;
  logger: Logger;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyRequest {
    client?: IngestClient;
  }
}

/** Parsed bodies carry their format: NDJSON and JSON have different size and count limits. */
interface ParsedBody {
  format: 'json' | 'ndjson';
  events: unknown[];
}

export async function buildApp(deps: IngestDeps): Promise<FastifyInstance> {
  const { config, metrics } = deps;
  const now = deps.now ?? Date.now;
  const limiter = new RateLimiter(config.RATE_PER_SECOND, config.RATE_BURST, now);
  // pino's Logger and fastify's base logger type differ only in generics; the instance is the same.
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.MAX_NDJSON_BYTES,
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'store-ingest',
        version: '1',
        description: 'Stock movements from store systems into Kafka.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Only the two documented formats are parsed; anything else is answered 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: config.MAX_JSON_BYTES },
    (_req, body, done) => {
      try {
        done(null, {
          format: 'json',
          events: eventsOfJson(parseJsonBody(body as string)),
        } satisfies ParsedBody);
      } catch (error) {
        done(error as Error);
      }
    },
  );
  app.addContentTypeParser(
    'application/x-ndjson',
    { parseAs: 'string', bodyLimit: config.MAX_NDJSON_BYTES },
    (_req, body, done) => {
      try {
        done(null, { format: 'ndjson', events: parseNdjson(body as string) } satisfies ParsedBody);
      } catch (error) {
        done(error as Error);
      }
    },
  );

  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, config.RETRY_AFTER_SECONDS);
    logIfServerError(request, apiError);
    return sendError(reply, apiError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ApiError(404, 'not_found', `no route ${request.method} ${request.url}`)),
  );
  app.addHook('onResponse', async (request, reply) => {
    metrics.requests.inc({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });

  // Authentication and rate limiting run before the body is read, so refused clients cost little.
  const authenticate = async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      throw new ApiError(401, 'unauthenticated', 'send Authorization: Bearer <token>', [], {
        'www-authenticate': 'Bearer',
      });
    }
    const client = deps.tokens.authenticate(token);
    if (!client) {
      throw new ApiError(401, 'invalid_token', 'the bearer token is not known', [], {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    const wait = limiter.take(client.clientId);
    if (wait > 0) {
      throw new ApiError(
        429,
        'rate_limited',
        `rate limit of ${config.RATE_PER_SECOND} requests/s exceeded`,
        [],
        {
          'retry-after': String(wait),
        },
      );
    }
    request.client = client;
  };

  app.post(
    '/v1/events',
    { schema: postEventsSchema, validatorCompiler: () => () => true, onRequest: authenticate },
    async (request, reply) => {
      const body = request.body as ParsedBody;
      const refuse = (error: ApiError, count: number) => {
        metrics.refused.inc({ reason: error.code }, count);
        return error;
      };
      const maxEvents = body.format === 'json' ? config.MAX_JSON_EVENTS : config.MAX_NDJSON_EVENTS;
      if (body.events.length === 0)
        throw refuse(new ApiError(400, 'invalid_request', 'no events in the request'), 0);
      if (body.events.length > maxEvents) {
        throw refuse(
          new ApiError(
            413,
            'too_many_events',
            `${body.events.length} events; at most ${maxEvents} per ${body.format} request`,
          ),
          body.events.length,
        );
      }
      const { events, problems, beyondHorizon } = validateEvents(body.events, now(), {
        ...defaultLimits,
        maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
        dedup: { horizonMs: config.DEDUP_HORIZON_MS, graceMs: defaultLimits.dedup.graceMs },
      });
      if (problems.length > 0) {
        const bad = new Set(problems.map((p) => p.index)).size;
        throw refuse(
          new ApiError(
            400,
            'validation_failed',
            `${bad} of ${body.events.length} events are invalid; nothing was accepted`,
            problems,
          ),
          body.events.length,
        );
      }
      if (beyondHorizon.length > 0) {
        throw refuse(
          new ApiError(
            422,
            'beyond_dedup_horizon',
            `${beyondHorizon.length} of ${body.events.length} events happened more than ${config.DEDUP_HORIZON_MS / 86_400_000} days ago, beyond the deduplication horizon: a repeat of them could not be recognised, so nothing was accepted; send them as a COUNT of the stock now`,
            beyondHorizon,
          ),
          body.events.length,
        );
      }
      const client = request.client as IngestClient;
      const forbidden = forbiddenLocations(
        client,
        events.map((e) => e.locationId),
      );
      if (forbidden.length > 0) {
        throw refuse(
          new ApiError(
            403,
            'forbidden_location',
            `client ${client.clientId} may not write these locations; nothing was accepted`,
            forbidden.map((index) => ({
              index,
              path: 'locationId',
              message: `${events[index]?.locationId} is not a location of ${client.clientId}`,
            })),
          ),
          body.events.length,
        );
      }
      const recordedAt = now();
      try {
        await deps.publisher.publish(
          events.map((e) => toCanonical(e, client.clientId, recordedAt)),
          { 'inventory-client': client.clientId },
        );
      } catch (error) {
        throw refuse(toApiError(error, config.RETRY_AFTER_SECONDS), events.length);
      }
      metrics.accepted.inc(events.length);
      return reply.status(202).send({ accepted: events.length });
    },
  );

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const ready = await deps.kafkaReady().catch(() => false);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'kafka unavailable' });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return app;
}

/**
 * The platform's event: its identity is the client's (store:<clientId>:<the client's id>),
 * so two clients that number events alike never collide, and no client writes an id of the
 * platform's own namespaces (@inventory/domain, identity.ts).
 */
export function toCanonical(event: StoreEvent, clientId: string, recordedAt: number): InventoryEvent {
  return {
    eventId: clientEventIdentity(clientId, event.eventId),
    type: event.type,
    sku: event.sku,
    locationId: event.locationId,
    quantity: event.quantity,
    occurredAt: event.occurredAt,
    recordedAt,
    source: 'STORE',
    sourceRef: event.reference,
    clientId,
    clientEventId: event.eventId,
  };
}
