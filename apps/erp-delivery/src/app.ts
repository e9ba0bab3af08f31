import type { AvroCodec } from '@inventory/codec';
import type { Logger } from '@inventory/core';
import { defaultDedupPolicy } from '@inventory/domain';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import type { DeliveryConfig } from './config.ts';
import type { Send } from './delivery/client.ts';
import { Deliverer } from './delivery/deliverer.ts';
import type { DeliveryMetrics } from './metrics.ts';
import { SoldStore } from './sold/store.ts';
import { Summarizer } from './sold/summarizer.ts';

export interface DeliveryApp {
  deliverer: Deliverer;
  summarizer: Summarizer | undefined;
  http: FastifyInstance;
  start(): Promise<void>;
  /** Stops intake (the summarizer, then first attempts, then retries), each committing what it finished. */
  stop(): Promise<void>;
}

/** Takes config and clients, so tests build the service against the real local stack. */
export function buildDeliveryApp(deps: {
  config: DeliveryConfig;
  kafka: Kafka;
  producer: Producer;
  codec: AvroCodec;
  send: Send;
  pool: pg.Pool | undefined;
  supplierOf: (sku: string) => string;
  metrics: DeliveryMetrics;
  logger: Logger;
  now?: () => number;
}): DeliveryApp {
  const deliverer = new Deliverer(deps);
  const summarizer =
    deps.config.SUMMARIZE && deps.pool
      ? new Summarizer({
          ...deps,
          store: new SoldStore(deps.pool, deps.config.POSTGRES_SCHEMA),
          dedup: { horizonMs: deps.config.DEDUP_HORIZON_MS, graceMs: defaultDedupPolicy.graceMs },
        })
      : undefined;
  const http = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger });
  const ready = () => deliverer.ready() && (summarizer?.ready() ?? true);
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_request, reply) =>
    reply.status(ready() ? 200 : 503).send({ status: ready() ? 'ready' : 'not ready' }),
  );
  http.get('/metrics', async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  return {
    deliverer,
    summarizer,
    http,
    async start() {
      await summarizer?.start();
      await deliverer.start();
    },
    async stop() {
      await summarizer?.stop();
      await deliverer.stop();
    },
  };
}
