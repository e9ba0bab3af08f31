import { errorMessage } from '@inventory/core';
import type { AppBuilder, Service } from '@inventory/service';
import type { LakeClients } from './clients.ts';
import type { LakeConfig } from './config.ts';
import { createMetrics, type LakeMetrics } from './metrics.ts';
import { LakeSink } from './sink.ts';

export interface LakeApp extends Service {
  sink: LakeSink;
  metrics: LakeMetrics;
}

/** The sink and its ops routes (ready once its group is joined). */
export const buildLake: AppBuilder<LakeConfig, LakeClients, LakeApp> = (config, clients, { logger }) => {
  const { consumer } = clients;
  const metrics = createMetrics();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  const sink = new LakeSink({ ...clients, config, metrics, logger });
  return {
    sink,
    metrics,
    registry: metrics.registry,
    checks: { group: () => joined },
    start: () => sink.start(),
    // Nothing more is taken; what a partition was writing is finished and committed, open
    // chunks are left for the next owner (they are cut again the same way).
    async stop() {
      consumer.pause([...config.EVENT_TOPICS, ...config.RAW_TOPICS].map((topic) => ({ topic })));
      await sink
        .stop()
        .catch((error) =>
          logger.warn({ err: errorMessage(error) }, 'buffer not written; it is after a restart'),
        );
    },
  };
};
