import type { AppBuilder, Service } from '@inventory/service';
import { Aggregator } from './aggregator.ts';
import { type AggregatorClients, peerDataCentres } from './clients.ts';
import type { AggregatorConfig } from './config.ts';
import { type AggregatorMetrics, createMetrics } from './metrics.ts';
import { PeerApplier } from './peers/peer-applier.ts';

export interface AggregatorApp extends Service {
  aggregator: Aggregator;
  metrics: AggregatorMetrics;
}

/** The aggregator and its ops routes, from settings and clients (tests build it against the stack). */
export const buildAggregator: AppBuilder<AggregatorConfig, AggregatorClients, AggregatorApp> = (
  config,
  clients,
  context,
) => {
  const { consumer, redis } = clients;
  const { logger } = context;
  const metrics = createMetrics();
  const aggregator = new Aggregator({ ...clients, config, metrics, logger });
  const peers =
    clients.peerConsumer === undefined
      ? undefined
      : new PeerApplier({
          consumer: clients.peerConsumer,
          admin: clients.admin,
          producer: clients.producer,
          redis,
          codec: clients.codec,
          keys: clients.store.keys,
          partitions: clients.store.keys.partitions,
          peers: peerDataCentres(config),
          stockTopic: config.STOCK_TOPIC,
          dlqTopic: config.DLQ_TOPIC,
          maxRequestBytes: config.MAX_REQUEST_BYTES,
          groupId: `${config.GROUP_ID}-peers`,
          watchdogMs: config.WATCHDOG_MS,
          metrics,
          logger,
          fail: context.fail,
        });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  return {
    aggregator,
    metrics,
    registry: metrics.registry,
    checks: { group: () => joined, redis: async () => (await redis.ping()) === 'PONG' },
    start: async () => {
      await aggregator.start();
      peers?.start();
    },
    // Timers stop and every partition finishes its step; the consumers, closed with the
    // clients after this, wait for the batch they run.
    stop: async () => {
      await peers?.stop();
      await aggregator.stop();
    },
  };
};
