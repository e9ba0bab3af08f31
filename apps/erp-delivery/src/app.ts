import { defaultDedupPolicy } from '@inventory/domain';
import type { AppBuilder, Service } from '@inventory/service';
import type { DeliveryClients } from './clients.ts';
import type { DeliveryConfig } from './config.ts';
import { Deliverer } from './delivery/deliverer.ts';
import { createMetrics, type DeliveryMetrics } from './metrics.ts';
import { SoldStore } from './sold/store.ts';
import { Summarizer } from './sold/summarizer.ts';

export interface DeliveryApp extends Service {
  deliverer: Deliverer;
  summarizer: Summarizer | undefined;
  metrics: DeliveryMetrics;
  start(): Promise<void>;
  /** Stops intake (the summarizer, then first attempts, then retries), each committing what it finished. */
  stop(): Promise<void>;
}

/** Takes settings and clients, so tests build the service against the real local stack. */
export const buildDelivery: AppBuilder<DeliveryConfig, DeliveryClients, DeliveryApp> = (
  config,
  clients,
  { logger, fail },
) => {
  const metrics = createMetrics();
  const deps = { ...clients, config, metrics, logger, fail, now: Date.now };
  const deliverer = new Deliverer(deps);
  const summarizer =
    config.SUMMARIZE && clients.pool
      ? new Summarizer({
          ...deps,
          store: new SoldStore(clients.pool, config.POSTGRES_SCHEMA),
          dedup: { horizonMs: config.DEDUP_HORIZON_MS, graceMs: defaultDedupPolicy.graceMs },
        })
      : undefined;
  return {
    deliverer,
    summarizer,
    metrics,
    registry: metrics.registry,
    checks: {
      deliveries: () => deliverer.ready(),
      ...(summarizer ? { 'sold-quantities': () => summarizer.ready() } : {}),
    },
    async start() {
      await summarizer?.start();
      await deliverer.start();
    },
    async stop() {
      await summarizer?.stop();
      await deliverer.stop();
    },
  };
};
