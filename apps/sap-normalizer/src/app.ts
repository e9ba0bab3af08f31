import type { Service } from '@inventory/service';
import type { NormalizerClients } from './clients.ts';
import type { NormalizerConfig } from './config.ts';
import { createMetrics, Normalizer, type NormalizerMetrics } from './normalizer.ts';

export interface NormalizerApp extends Service {
  metrics: NormalizerMetrics;
}

/** The normalizer and its ops routes (ready once its group is joined). */
export function buildNormalizer(config: NormalizerConfig, clients: NormalizerClients): NormalizerApp {
  const metrics = createMetrics();
  let joined = false;
  clients.consumer.on(clients.consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  const normalizer = new Normalizer({ ...clients, config, metrics });
  return {
    metrics,
    registry: metrics.registry,
    checks: { group: () => joined },
    start: () => normalizer.start(),
  };
}
