import { Cron } from 'croner';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { type JobDeps, type JobOutcome, runReconciliation } from './job.ts';

export interface ReconciliationService {
  http: FastifyInstance;
  /** The next scheduled run (UTC), for logs and /readyz. */
  nextRun(): Date | null;
  /** Runs once now, as the schedule does (the lease still decides whether it may). */
  runNow(trigger: 'schedule' | 'manual'): Promise<JobOutcome>;
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/** The scheduler and the operations endpoints around the job; takes its clients ready-made. */
export function buildReconciliationService(deps: JobDeps): ReconciliationService {
  let running: Promise<JobOutcome> | undefined;
  const runNow = (trigger: 'schedule' | 'manual') => {
    const run = runReconciliation(deps, trigger).finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  // UTC, whatever the host's zone: "02:00" must not move with daylight saving.
  const cron = new Cron(deps.config.SCHEDULE, { timezone: 'UTC', protect: true }, async () => {
    await runNow('schedule');
  });
  const http = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger });
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async () => ({
    status: 'ready',
    nextRun: cron.nextRun()?.toISOString() ?? null,
    running: running !== undefined,
  }));
  http.get('/metrics', async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  return {
    http,
    nextRun: () => cron.nextRun(),
    runNow,
    async stop() {
      cron.stop();
      await running;
    },
  };
}
