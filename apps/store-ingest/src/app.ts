import { RateLimiter } from '@inventory/core';
import { clientEventIdentity, type InventoryEvent } from '@inventory/domain';
import {
  ApiError,
  type AppBuilder,
  bearerAuthentication,
  type HttpService,
  httpApp,
  httpService,
  toApiError,
} from '@inventory/service';
import type { FastifyRequest } from 'fastify';
import { forbiddenLocations, type IngestClient } from './auth/tokens.ts';
import type { IngestClients } from './clients.ts';
import type { IngestConfig } from './config.ts';
import { eventsOfJson, parseJsonBody, parseNdjson } from './events/body.ts';
import { defaultLimits, type StoreEvent, validateEvents } from './events/validate.ts';
import { postEventsSchema } from './http/openapi.ts';
import { createMetrics, type IngestMetrics } from './metrics.ts';
import { EventPublisher } from './publish/publisher.ts';

declare module 'fastify' {
  interface FastifyRequest {
    client?: IngestClient;
  }
}

/** Most refused fields one answer lists. */
const maxListedProblems = 100;

/** Parsed bodies carry their format: NDJSON and JSON have different size and count limits. */
interface ParsedBody {
  format: 'json' | 'ndjson';
  events: unknown[];
}

/** Its stop() answers the requests in flight once Kafka acknowledged their events. */
export type IngestApp = HttpService<IngestMetrics>;

/** Takes settings and clients, so tests build the app against the real Kafka and registry. */
export const buildIngest: AppBuilder<IngestConfig, IngestClients, IngestApp> = async (
  config,
  clients,
  { logger, stopping },
) => {
  const metrics = createMetrics();
  const publisher = new EventPublisher(clients.producer, clients.codec, {
    topic: config.EVENTS_TOPIC,
    timeoutMs: config.PRODUCE_TIMEOUT_MS,
    maxPending: config.MAX_PENDING_EVENTS,
    maxEventsPerSend: config.MAX_EVENTS_PER_SEND,
    maxBytesPerSend: config.MAX_BYTES_PER_SEND,
    onLatency: (seconds) => metrics.produceLatency.observe(seconds),
    onSend: (events) => metrics.eventsPerSend.observe(events),
  });
  const checks = { kafka: clients.kafkaReady };
  const app = await httpApp({
    logger,
    stopping,
    registry: metrics.registry,
    checks,
    docs: { title: 'store-ingest', description: 'Stock movements from store systems into Kafka.' },
    settings: config,
    errors: {
      retryAfterSeconds: config.RETRY_AFTER_SECONDS,
      mediaTypes: 'application/json or application/x-ndjson',
    },
    fastify: { bodyLimit: config.MAX_NDJSON_BYTES },
  });

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
  const eventsLimiter = new RateLimiter(config.EVENTS_RATE_PER_SECOND, config.EVENTS_RATE_BURST);
  const authenticate = bearerAuthentication({
    secret: 'token',
    lookup: (token) => clients.tokens.authenticate(token),
    limiter: new RateLimiter(config.RATE_PER_SECOND, config.RATE_BURST),
    clientKey: (client) => client.clientId,
  });

  app.post(
    '/v1/events',
    {
      schema: postEventsSchema,
      validatorCompiler: () => () => true,
      onRequest: async (request: FastifyRequest) => {
        request.client = authenticate(request);
      },
    },
    async (request, reply) => {
      const body = request.body as ParsedBody;
      const refuse = (error: ApiError, count: number) => {
        metrics.refused.inc({ reason: error.code }, count);
        return error;
      };
      const maxEvents = body.format === 'json' ? config.MAX_JSON_EVENTS : config.MAX_NDJSON_EVENTS;
      if (body.events.length === 0)
        throw refuse(new ApiError('INVALID_REQUEST', 'no events in the request'), 0);
      if (body.events.length > maxEvents) {
        throw refuse(
          new ApiError(
            'TOO_MANY_EVENTS',
            `${body.events.length} events; at most ${maxEvents} per ${body.format} request`,
          ),
          body.events.length,
        );
      }
      // Per event, before the work of validating them: a client's share of Kafka and the
      // aggregator does not grow with its batch size. A refused batch takes nothing.
      const client = request.client as IngestClient;
      const wait = eventsLimiter.take(client.clientId, body.events.length);
      if (wait > 0)
        throw refuse(
          new ApiError(
            'RATE_LIMITED',
            `rate limit of ${config.EVENTS_RATE_PER_SECOND} events/s exceeded: these ${body.events.length} events fit in ${wait} s`,
            { headers: { 'retry-after': String(wait) }, extra: { limit: 'events' } },
          ),
          body.events.length,
        );
      const { events, problems, beyondHorizon } = validateEvents(body.events, Date.now(), {
        ...defaultLimits,
        maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
        dedup: { horizonMs: config.DEDUP_HORIZON_MS, graceMs: defaultLimits.dedup.graceMs },
      });
      if (problems.length > 0) {
        const bad = new Set(problems.map((p) => p.index)).size;
        // The answer stays small whatever was sent: the first problems say enough to fix it.
        const listed = problems.slice(0, maxListedProblems);
        throw refuse(
          new ApiError(
            'VALIDATION_FAILED',
            `${bad} of ${body.events.length} events are invalid; nothing was accepted${problems.length > listed.length ? ` (the first ${listed.length} of ${problems.length} problems are listed)` : ''}`,
            { details: listed },
          ),
          body.events.length,
        );
      }
      if (beyondHorizon.length > 0) {
        throw refuse(
          new ApiError(
            'BEYOND_DEDUP_HORIZON',
            `${beyondHorizon.length} of ${body.events.length} events happened more than ${config.DEDUP_HORIZON_MS / 86_400_000} days ago, beyond the deduplication horizon: a repeat of them could not be recognised, so nothing was accepted; send them as a COUNT of the stock now`,
            { details: beyondHorizon.slice(0, maxListedProblems) },
          ),
          body.events.length,
        );
      }
      const forbidden = forbiddenLocations(
        client,
        events.map((e) => e.locationId),
      );
      if (forbidden.length > 0) {
        throw refuse(
          new ApiError(
            'FORBIDDEN_LOCATION',
            `client ${client.clientId} may not write these locations; nothing was accepted`,
            {
              details: forbidden.slice(0, maxListedProblems).map((index) => ({
                index,
                path: 'locationId',
                message: `${events[index]?.locationId} is not a location of ${client.clientId}`,
              })),
            },
          ),
          body.events.length,
        );
      }
      const recordedAt = Date.now();
      try {
        await publisher.publish(
          events.map((e) => toCanonical(e, client.clientId, recordedAt)),
          { 'inventory-client': client.clientId },
        );
      } catch (error) {
        throw refuse(toApiError(error, { retryAfterSeconds: config.RETRY_AFTER_SECONDS }), events.length);
      }
      metrics.accepted.inc(events.length);
      return reply.status(202).send({ accepted: events.length });
    },
  );
  return httpService(app, metrics, checks);
};

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
