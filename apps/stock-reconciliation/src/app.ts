import type { AppBuilder, Service } from '@inventory/service';
import { Cron } from 'croner';
import type { ReconciliationClients } from './clients.ts';
import type { ReconciliationConfig } from './config.ts';
import { type JobDeps, type JobOutcome, runReconciliation } from './job.ts';
import { createMetrics, type ReconciliationMetrics } from './metrics.ts';

export interface ReconciliationApp extends Service {
  deps: JobDeps;
  metrics: ReconciliationMetrics;
  /** The next scheduled run (UTC), for logs. */
  nextRun(): Date | null;
  /** Runs once now, as the schedule does (the lease still decides whether it may). */
  runNow(trigger: 'schedule' | 'manual'): Promise<JobOutcome>;
  start(): Promise<void>;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/** The scheduler and the ops routes around the job; takes its clients ready-made. */
export const buildReconciliation: AppBuilder<
  ReconciliationConfig,
  ReconciliationClients,
  ReconciliationApp
> = (config, clients, { logger }) => {
  const metrics = createMetrics();
  const deps: JobDeps = { ...clients, config, metrics, logger };
  let running: Promise<JobOutcome> | undefined;
  const runNow = (trigger: 'schedule' | 'manual') => {
    const run = runReconciliation(deps, trigger).finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  let cron: Cron | undefined;
  return {
    deps,
    metrics,
    registry: metrics.registry,
    checks: {
      postgres: async () => (await clients.pool.query('select 1')).rowCount === 1,
      redis: async () => (await clients.redis.ping()) === 'PONG',
    },
    nextRun: () => cron?.nextRun() ?? null,
    runNow,
    async start() {
      // UTC, whatever the host's zone: "02:00" must not move with daylight saving.
      cron = new Cron(config.SCHEDULE, { timezone: 'UTC', protect: true }, async () => {
        await runNow('schedule');
      });
      logger.info(
        { schedule: config.SCHEDULE, nextRun: cron.nextRun()?.toISOString() },
        'reconciliation scheduled (UTC)',
      );
    },
    async stop() {
      cron?.stop();
      await running;
    },
  };
};
