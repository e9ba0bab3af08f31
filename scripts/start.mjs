#!/usr/bin/env node
// `npm start`: install what is missing, bring the local stack up, publish the demo master
// data, start every app of the launcher table (tools/local-stack/src/apps.ts) against the
// stack, print where to look, and on Ctrl-C stop the apps (and the stack, if this run
// started it).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, root, runTsx } from './bootstrap.mjs';

ensureInstalled();
const cli = 'tools/local-stack/src/cli.ts';
const quiet = { stdio: ['ignore', 'ignore', 'ignore'] };
const wasUp = runTsx(cli, ['status'], quiet) === 0;
if (runTsx(cli, ['up']) !== 0) process.exit(1);
if (runTsx(cli, ['seed']) !== 0) process.exit(1);

const listed = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, cli), 'apps'], {
  cwd: root,
  encoding: 'utf8',
});
if (listed.status !== 0) {
  console.error(listed.stderr);
  process.exit(1);
}
const apps = JSON.parse(listed.stdout);

// Each app in a process group of its own: Ctrl-C reaches this process only, which then
// stops every app once, in an orderly way, and waits for each to exit.
const running = apps.map((app) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'tools/local-stack/src/launch.ts'), app.name],
    { cwd: root, stdio: 'inherit', detached: true },
  );
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ app: app.name, code, signal })),
  );
  return { app, child, exited };
});

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
  Object store (S3):  ${endpoints.S3_ENDPOINT}   (key pair in stack.env: S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY; path-style)
  Data lake:          ${endpoints.S3_LAKE_URI}   (npm run lake:query -- "SELECT type, count(*) FROM events GROUP BY type")
  ERP archive:        ${endpoints.S3_ERP_ARCHIVE_URI}   (raw payloads of the nightly sync, 30 days)
  SAP stand-in:       npm run sap -- post 100 10   (goods movements, captured by Debezium)
  ERP dead letters:   npm run erp:dlq -- list   (redrive: npm run erp:dlq -- redrive --key <orderId>)
  Reconciliation:     npm run reconcile -- run   (ERP snapshot vs platform, now; scheduled 02:00 UTC), npm run reconcile -- jobs
Apps:`);
for (const { name, url } of apps) console.log(`  ${name.padEnd(24)} ${url}`);
console.log(`\nCtrl-C stops the apps${wasUp ? '.' : ' and the stack.'}`);

// Each app stops within its own deadline (SHUTDOWN_TIMEOUT_MS, 20 s by default); one still
// running after this is killed with its process group.
const killAfterMs = 30_000;
let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n[start] stopping ${running.length} apps ...`);
  for (const { child } of running) if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    for (const { app, child } of running) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      console.error(`[start] ${app.name} did not stop within ${killAfterMs / 1000} s: killed`);
      process.kill(-child.pid, 'SIGKILL');
    }
  }, killAfterMs);
  const results = await Promise.all(running.map((r) => r.exited));
  clearTimeout(timer);
  for (const { app, code, signal: by } of results)
    if (code !== 0) console.error(`[start] ${app} exited with ${code ?? by}`);
  if (!wasUp) runTsx(cli, ['down']);
  process.exit(signal === 'SIGINT' ? 130 : 0);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// An app that fails on its own leaves the others running; its log says why.
for (const { exited } of running)
  exited.then(({ app, code }) => {
    if (!stopping) console.error(`[start] ${app} exited (${code}); the others keep running`);
  });
// Stay in the foreground while the platform runs.
setInterval(() => {}, 1 << 30);
