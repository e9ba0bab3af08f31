#!/usr/bin/env node
// `npm start`: install what is missing, bring the local stack up, publish the demo master
// data, start every app that has a start:local script (its launcher against the local
// stack), print where to look, and on Ctrl-C stop
// the apps (and the stack, if this run started it).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, root, runTsx } from './bootstrap.mjs';

ensureInstalled();
const cli = 'tools/local-stack/src/cli.ts';
const quiet = { stdio: ['ignore', 'ignore', 'ignore'] };
const wasUp = runTsx(cli, ['status'], quiet) === 0;
if (runTsx(cli, ['up']) !== 0) process.exit(1);
if (runTsx(cli, ['seed']) !== 0) process.exit(1);

// Tools with a start:local (the ERP simulator) run too: the apps talk to them.
const apps = ['tools', 'apps']
  .flatMap((folder) =>
    readdirSync(join(root, folder)).map((name) => ({ name, dir: join(root, folder, name) })),
  )
  .filter((app) => existsSync(join(app.dir, 'package.json')))
  .map((app) => ({ ...app, pkg: JSON.parse(readFileSync(join(app.dir, 'package.json'), 'utf8')) }));

const running = [];
for (const app of apps) {
  if (!app.pkg.scripts?.['start:local']) continue;
  // exec'd directly (not through `npm run`) so that signals reach the app itself.
  const child = spawn('sh', ['-c', `exec ${app.pkg.scripts['start:local']}`], {
    cwd: app.dir,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
  });
  running.push({ app, child });
}

const home = process.env.INVENTORY_STACK_HOME ?? join(root, '.stack');
const endpoints = JSON.parse(readFileSync(join(home, 'endpoints.json'), 'utf8'));
const withoutPassword = (url) => url?.replace(/\/\/[^@/]*@/, '//');
console.log(`
The local platform is up.
  Stack status:       npm run stack -- status
  Endpoints (secret): ${join(home, 'stack.env')}
  Logs:               ${join(home, 'logs')}/<part>.log   (npm run stack -- logs <part>)
  Kafka:              ${endpoints.KAFKA_BROKERS}, topics inventory.*.v1 (locations seeded)
  Schema registry:    ${endpoints.SCHEMA_REGISTRY_URL}/subjects
  Kafka Connect:      ${endpoints.CONNECT_URL}/connector-plugins
  Redis:              ${withoutPassword(endpoints.REDIS_URL)}
  PostgreSQL (SAP):   ${withoutPassword(endpoints.POSTGRES_SAP_URL)}
  RabbitMQ (MQ):      ${withoutPassword(endpoints.AMQP_URL)}
  Data lake:          ${join(home, 'lake')}   (npm run lake:query -- "SELECT type, count(*) FROM events GROUP BY type")
  SAP stand-in:       npm run sap -- post 100 10   (goods movements, captured by Debezium)
  ERP simulator:      http://127.0.0.1:19160/_admin/stats   (orders and sold quantities received, alerts at /_admin/alerts)
  ERP dead letters:   npm run erp:dlq -- list   (redrive: npm run erp:dlq -- redrive --key <orderId>)
  Reconciliation:     npm run reconcile -- run   (ERP snapshot vs platform, now; scheduled 02:00 UTC), npm run reconcile -- jobs
Apps:`);
for (const app of apps) {
  if (app.dir.includes('/tools/') && !app.pkg.scripts?.['start:local']) continue;
  const state = app.pkg.scripts?.['start:local']
    ? `running (${app.pkg.inventory?.url ?? 'see its log'})`
    : `not built yet: ${app.pkg.description}`;
  console.log(`  ${app.name.padEnd(24)} ${state}`);
}
console.log(`\nCtrl-C stops the apps${wasUp ? '.' : ' and the stack.'}`);

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(
    running.map(
      ({ child }) =>
        new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', resolve))),
    ),
  );
  if (!wasUp) runTsx(cli, ['down']);
  process.exit(signal === 'SIGINT' ? 130 : 0);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// Stay in the foreground while the platform runs.
setInterval(() => {}, 1 << 30);
