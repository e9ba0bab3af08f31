import { createLogger, errorMessage } from '@inventory/core';
import { buildReconciliationService } from './app.ts';
import { connectJobDeps } from './clients.ts';
import { parseReconciliationConfig } from './config.ts';

/** Parses config, builds clients, schedules the job; on SIGTERM/SIGINT lets a run finish, then closes. */
async function main(): Promise<void> {
  const config = parseReconciliationConfig(process.env);
  const logger = createLogger('stock-reconciliation', config.LOG_LEVEL);
  const clients = await connectJobDeps(config, logger);
  const service = buildReconciliationService(clients.deps);
  await service.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  logger.info(
    { schedule: config.SCHEDULE, nextRun: service.nextRun()?.toISOString() },
    'reconciliation scheduled (UTC)',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new runs; waiting for a run in progress');
    await service.stop();
    await clients.close();
    await service.http.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`stock-reconciliation failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
