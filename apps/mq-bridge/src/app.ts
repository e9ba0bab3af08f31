import { errorMessage } from '@inventory/core';
import { defaultDedupPolicy } from '@inventory/domain';
import type { AppBuilder, Service } from '@inventory/service';
import { Bridge } from './bridge.ts';
import type { BridgeClients } from './clients.ts';
import type { BridgeConfig } from './config.ts';
import { type BridgeMetrics, createMetrics } from './metrics.ts';

export interface BridgeApp extends Service {
  bridge: Bridge;
  metrics: BridgeMetrics;
}

/** The bridge and its ops routes (ready: MQ connected and Kafka taking writes). */
export const buildBridge: AppBuilder<BridgeConfig, BridgeClients, BridgeApp> = (
  config,
  clients,
  { logger },
) => {
  const { source } = clients;
  const metrics = createMetrics();
  const bridge = new Bridge({
    ...clients,
    config,
    metrics,
    logger,
    dedup: { horizonMs: config.DEDUP_HORIZON_MS, graceMs: defaultDedupPolicy.graceMs },
  });
  let depth: NodeJS.Timeout | undefined;
  return {
    bridge,
    metrics,
    registry: metrics.registry,
    checks: { mq: () => source.connected, kafka: () => bridge.kafkaHealthy },
    async start() {
      depth = setInterval(() => {
        source
          .depth()
          .then((n) => n !== undefined && metrics.lag.set(n))
          .catch(() => {});
      }, config.DEPTH_POLL_MS);
      await bridge.start();
    },
    // No new messages; the ones taken are sent and acknowledged (or left for MQ to deliver again).
    async stop() {
      clearInterval(depth);
      await bridge
        .stop()
        .catch((error) => logger.warn({ err: errorMessage(error) }, 'batch left unacknowledged'));
    },
  };
};
