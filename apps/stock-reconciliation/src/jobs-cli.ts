// reconcile run            one run now (the lease still applies); exit 0 completed, 1 failed, 3 refused
// reconcile jobs [--limit N] [--json]   recent jobs and their outcomes
// Settings as the service's (RECON_*). Against the local stack: npm run reconcile -- run
import { parseArgs } from 'node:util';
import { createLogger, describeError, InventoryError } from '@inventory/core';
import { foregroundContext, Resources } from '@inventory/service';
import pg from 'pg';
import { buildReconciliation } from './app.ts';
import { connectReconciliation } from './clients.ts';
import { parseReconciliationConfig } from './config.ts';
import { ReconciliationStore } from './store.ts';

const usage = 'usage: reconcile <run | jobs [--limit N] [--json]>';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { limit: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } },
  });
  const command = positionals[0];
  if (command !== 'run' && command !== 'jobs') {
    console.error(usage);
    return 2;
  }
  const config = parseReconciliationConfig(process.env);
  if (command === 'jobs') {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1)
      throw new InventoryError('USAGE', `--limit: a positive integer, got ${values.limit}`);
    const pool = new pg.Pool({ connectionString: config.POSTGRES_URL, max: 1 });
    try {
      const store = new ReconciliationStore(pool, config.POSTGRES_SCHEMA);
      await store.migrate();
      const jobs = await store.recentJobs(limit);
      if (values.json) for (const job of jobs) console.log(JSON.stringify(job));
      else {
        console.log(
          'id  trigger   status     started                   seconds  skus  changed  invalid  deferred  api_ms  tries  archive / error',
        );
        for (const j of jobs) {
          const seconds = j.finishedAt
            ? ((j.finishedAt.getTime() - j.startedAt.getTime()) / 1000).toFixed(1)
            : '-';
          console.log(
            [
              j.id,
              j.trigger.padEnd(8),
              j.status.padEnd(10),
              j.startedAt.toISOString(),
              seconds.padStart(7),
              j.skusProcessed,
              j.itemsChanged,
              j.itemsInvalid,
              j.itemsDeferred,
              j.apiLatencyMs ?? '-',
              j.apiAttempts,
              j.error ?? j.archivePath ?? '',
            ].join('  '),
          );
        }
      }
      return 0;
    } finally {
      await pool.end();
    }
  }
  const logger = createLogger('stock-reconciliation', config.LOG_LEVEL);
  const resources = new Resources();
  try {
    const context = foregroundContext(logger, resources);
    const clients = await connectReconciliation(config, context);
    const app = await buildReconciliation(config, clients, context);
    const outcome = await app.runNow('manual');
    console.log(JSON.stringify(outcome));
    return outcome.status === 'completed' ? 0 : outcome.status === 'refused' ? 3 : 1;
  } finally {
    await resources.close(logger);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`reconcile: ${describeError(error)}`);
    process.exit(1);
  },
);
