import type { Logger } from '@inventory/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { useApiDocs } from './docs.ts';
import { type ErrorHandlingOptions, useErrorHandling } from './http-errors.ts';
import { httpServerOptions, limitConnectionsPerAddress, opsAuthorizer, opsTokenOf } from './http-server.ts';
import { meter } from './metrics.ts';
import { opsRoutes, type ReadinessCheck } from './ops.ts';
import type { HttpServerSettings } from './settings.ts';

export interface HttpAppOptions {
  logger: Logger;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  stopping: () => boolean;
  docs: { title: string; description: string };
  /** The app's settings (baseSettings): timeouts, limits, the ops token. */
  settings: HttpServerSettings;
  errors?: ErrorHandlingOptions;
  /** Options of the app's own beyond the settings' (a larger body limit for its formats). */
  fastify?: Omit<FastifyServerOptions, 'logger' | 'loggerInstance'>;
}

/**
 * The server of an HTTP app, before its routes: the settings' timeouts and limits, the
 * OpenAPI document (/docs), the one error body, the ops routes on the same port (/metrics and
 * /docs behind the ops token when one is set), and http_requests_total by route and status.
 */
export async function httpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  // pino's Logger and fastify's base logger type differ only in generics; the instance is the same.
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // No line per request (httpServerOptions); at debug one when answered (below).
    ...httpServerOptions(options.settings),
    ...options.fastify,
  });
  useErrorHandling(app, options.errors);
  limitConnectionsPerAddress(app, options.settings.HTTP_MAX_CONNECTIONS_PER_IP);
  const opsAllowed = opsAuthorizer(opsTokenOf(options.settings));
  await useApiDocs(app, options.docs, opsAllowed);
  opsRoutes(app, {
    registry: options.registry,
    checks: options.checks,
    stopping: options.stopping,
    allowed: opsAllowed,
  });
  const requests = meter(options.registry).counter(
    'http_requests_total',
    'HTTP requests by route and status',
    ['route', 'status'],
  );
  const accessLog = options.logger.isLevelEnabled('debug');
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    requests.inc({ route, status: String(reply.statusCode) });
    // The route's pattern, not the URL: paths and query strings may carry ids and keys.
    if (accessLog)
      request.log.debug(
        { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request answered',
      );
  });
  return app;
}
