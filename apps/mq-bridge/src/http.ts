import type { Logger } from '@inventory/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { BridgeMetrics } from './metrics.ts';

/** Operations endpoints: liveness, readiness (MQ connected, Kafka taking writes), metrics. */
export function buildHttp(deps: {
  metrics: BridgeMetrics;
  ready: () => boolean;
  logger: Logger;
}): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = deps.ready();
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  return app;
}
