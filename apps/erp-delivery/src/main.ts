import { createLogger, errorMessage } from '@inventory/core';
import { connectDelivery } from './clients.ts';
import { parseDeliveryConfig } from './config.ts';

/** Parses config, builds clients, starts, and on SIGTERM/SIGINT stops in order. */
async function main(): Promise<void> {
  const config = parseDeliveryConfig(process.env);
  const logger = createLogger('erp-delivery', config.LOG_LEVEL);
  const { app, close } = await connectDelivery(config, logger);
  await app.http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing deliveries in flight, then committing');
    await app.stop().catch((error) => logger.warn({ err: errorMessage(error) }, 'stop incomplete'));
    await close();
    await app.http.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await app.start();
}

main().catch((error: unknown) => {
  console.error(`erp-delivery failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
