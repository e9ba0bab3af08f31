import { errorMessage } from '@inventory/core';
import type { AppBuilder, Service } from '@inventory/service';
import { Aggregator } from './aggregator.ts';
import type { AggregatorClients } from './clients.ts';
import type { AggregatorConfig } from './config.ts';
import { type AggregatorMetrics, createMetrics } from './metrics.ts';

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
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  consumer.on(consumer.events.CRASH, (event) => {
    logger.error(
      { err: errorMessage(event.payload.error), restart: event.payload.restart },
      'consumer crashed',
    );
    if (!event.payload.restart) context.fail(event.payload.error);
  });
  return {
    aggregator,
    metrics,
    registry: metrics.registry,
    checks: { group: () => joined, redis: async () => (await redis.ping()) === 'PONG' },
    start: () => aggregator.start(),
    // Timers stop and every partition finishes its step; the consumer, closed with the
    // clients after this, waits for the batch it runs.
    stop: () => aggregator.stop(),
  };
};
