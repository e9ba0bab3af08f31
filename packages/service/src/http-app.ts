import type { Logger } from '@inventory/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { useApiDocs } from './docs.ts';
import { type ErrorHandlingOptions, useErrorHandling } from './http-errors.ts';
import { meter } from './metrics.ts';
import { opsRoutes, type ReadinessCheck } from './ops.ts';

export interface HttpAppOptions {
  logger: Logger;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  stopping: () => boolean;
  docs: { title: string; description: string };
  errors?: ErrorHandlingOptions;
  fastify?: Omit<FastifyServerOptions, 'logger' | 'loggerInstance'>;
}

/**
 * The server of an HTTP app, before its routes: the OpenAPI document (/docs), the one error
 * body, the ops routes on the same port, and http_requests_total by route and status.
 */
export async function httpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  // pino's Logger and fastify's base logger type differ only in generics; the instance is the same.
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, ...options.fastify });
  await useApiDocs(app, options.docs);
  useErrorHandling(app, options.errors);
  opsRoutes(app, { registry: options.registry, checks: options.checks, stopping: options.stopping });
  const requests = meter(options.registry).counter(
    'http_requests_total',
    'HTTP requests by route and status',
    ['route', 'status'],
  );
  app.addHook('onResponse', async (request, reply) => {
    requests.inc({ route: request.routeOptions.url ?? 'unknown', status: String(reply.statusCode) });
  });
  return app;
}
