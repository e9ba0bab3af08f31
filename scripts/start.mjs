#!/usr/bin/env node
// `npm start`: install what is missing, bring the local stack up, publish the demo master
// data, start every app of the launcher table (tools/local-stack/src/apps.ts) against the
// stack, and say where to look once every app answers /readyz. On Ctrl-C the apps stop
// (and the stack, if this run started it). An app that cannot start ends the run, exit 1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInstalled, root, runTsx } from './bootstrap.mjs';
import { cli, stackHome, startApps, tail } from './platform.mjs';

ensureInstalled();
const quiet = { stdio: ['ignore', 'ignore', 'ignore'] };
// Only a stack this run brought up from nothing is taken down again on Ctrl-C.
const wasUp = runTsx(cli, ['status'], quiet) !== 4;
if (runTsx(cli, ['up']) !== 0) process.exit(1);
if (runTsx(cli, ['seed']) !== 0) process.exit(1);

const home = stackHome();
let platform;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  if (platform) {
    console.log(`\n[start] stopping ${platform.running.length} apps ...`);
    for (const { app, code: exit, signal } of await platform.stop())
      console.error(`[start] ${app} exited with ${exit ?? signal}`);
  }
  if (!wasUp) runTsx(cli, ['down']);
  process.exit(code);
}
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(0));

console.log('[start] starting the apps (logs in .stack/logs/<app>.log) ...');
try {
  platform = await startApps({ onReady: (app) => console.log(`[start] ${app.name.padEnd(22)} ready`) });
} catch (error) {
  console.error(`[start] ${error.message}`);
  await stop(1);
}

const endpoints = JSON.parse(readFileSync(join(home, 'endpoints.json'), 'utf8'));
// Public development keys (committed, marked so): the ones to try the console and the APIs with.
const dev = JSON.parse(readFileSync(join(root, 'deploy/local/dev-credentials.json'), 'utf8'));
const keyOf = (keyId) => dev.queryApi.find((k) => k.keyId === keyId)?.key;
const consoleUrl = platform.running.find(({ app }) => app.name === 'console')?.app.url;
const withoutPassword = (url) => url?.replace(/\/\/[^@/]*@/, '//');
console.log(`
The local platform is up.
  Web console:        ${consoleUrl ?? '(not started)'}   (key: ${keyOf('stores')}, dev only)
  Prometheus:         ${endpoints.PROMETHEUS_URL ?? '(skipped)'}/graph   (rules: deploy/prometheus/rules; Grafana: deploy/grafana)
  Query API key:      ${keyOf('webshop')}   (reads and reservations, dev only; curl -H "Authorization: Bearer <key>")
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
  Load:               npm run loadgen -- --profile small
Apps:`);
for (const { app } of platform.running) console.log(`  ${app.name.padEnd(24)} ${app.url}`);
console.log(`\nCtrl-C stops the apps${wasUp ? '.' : ' and the stack.'}`);

// An app that fails on its own leaves the others running; its log says why.
for (const { exited, log } of platform.running)
  exited.then(({ app, code, signal }) => {
    if (!stopping)
      console.error(
        `[start] ${app} exited (${code ?? signal}); the others keep running. Its log ends:\n${tail(log)}`,
      );
  });
// Stay in the foreground while the platform runs.
setInterval(() => {}, 1 << 30);
