#!/usr/bin/env node
// `npm start [-- --logs]`: install what is missing, bring the local stack up, publish the demo
// master data, start every app of the launcher table (tools/local-stack/src/apps.ts) against
// the stack, and say where to look once every app answers /readyz. The stack CLI and the apps
// run on the images' Node 24 (scripts/node24.mjs).
//
// Each app's log stays JSON in `.stack/logs/<app>.log`. Here a person sees one summary, the
// apps' warnings and errors one readable line each (every line from info up with --logs), and
// one status line: rewritten in place in a terminal, printed as a plain line once a minute
// otherwise (CI, a pipe). On Ctrl-C the apps stop (and the stack, if this run started it).
// An app that cannot start ends the run with the end of its log, exit 1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureInstalled, root, run } from './bootstrap.mjs';
import { platformNode } from './node24.mjs';
import { cli, followLog, stackHome, startApps, tail } from './platform.mjs';
import { infoLevel, prettyLogLine, statusLine, vectorSum, warnLevel } from './terminal-view.mjs';

const usage = `usage: npm start [-- --logs] [-- --dcs 3]
  --logs    show every app's log lines from info up (default: warnings and errors only)
  --dcs 3   three data centres: the stack's second and third (a Kafka and a Redis each,
            MirrorMaker 2 between the three), and in each its own store ingest, aggregator
            and query API answering the network view`;
let options;
try {
  options = parseArgs({
    options: {
      logs: { type: 'boolean', default: false },
      dcs: { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
  if (options.dcs !== '1' && options.dcs !== '3') throw new Error(`--dcs is 1 or 3, not "${options.dcs}"`);
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}
// The stack CLI, the launcher table and every app started read the setting from here on.
if (options.dcs === '3') process.env.INVENTORY_STACK_DCS = '3';

ensureInstalled();
const node = platformNode((line) => console.log(line));
const stack = (args, spawnOptions) => run(node, ['--import', 'tsx', cli, ...args], spawnOptions);
const quiet = { stdio: ['ignore', 'ignore', 'ignore'] };
// Only a stack this run brought up from nothing is taken down again on Ctrl-C.
const wasUp = stack(['status'], quiet) !== 4;
if (stack(['up']) !== 0) process.exit(1);
if (stack(['seed']) !== 0) process.exit(1);

const home = stackHome();
const tty = process.stdout.isTTY === true;
const minLevel = options.logs ? infoLevel : warnLevel;

// The screen: lines above, the status line (terminal only) below them, rewritten in place.
let status = '';
function say(line) {
  process.stdout.write(tty && status ? `\r\x1b[K${line}\n${status}` : `${line}\n`);
}
function showStatus(line) {
  if (!tty) return console.log(line);
  status = line;
  process.stdout.write(`\r\x1b[K${line}`);
}

const states = new Map();
const unfollow = [];
let warnings = 0;
let flow;
const current = () =>
  statusLine({
    apps: [...states].map(([name, state]) => ({ name, state })),
    flow,
    warnings,
    width: (process.stdout.columns ?? 120) - 1,
  });

let platform;
let stopping = false;
const starting = new AbortController();
let started;

/** An app's log lines made readable where they are its JSON; other lines as they are. */
const readable = (app, text) =>
  text
    .split('\n')
    .map((line) => (line.startsWith('{') && prettyLogLine(app, line, { minLevel: 0 })) || line)
    .join('\n');

/** Stops everything once, then exits with `code`; a second call waits for the first. */
let stopped;
const stop = (code) => {
  stopping = true;
  stopped ??= halt(code);
  return stopped;
};

async function halt(code) {
  if (tty && status) process.stdout.write('\n');
  status = '';
  if (platform) {
    console.log(`[start] stopping ${platform.running.length} apps ...`);
    for (const { app, code: exit, signal } of await platform.stop())
      console.error(`[start] ${app} exited with ${exit ?? signal}`);
  } else if (started) {
    // Interrupted while the apps start: startApps stops those it started.
    starting.abort();
    await started.catch(() => {});
  }
  for (const done of unfollow) done();
  if (!wasUp) stack(['down']);
  process.exit(code);
}
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(0));

console.log(`[start] starting the apps (logs: ${join(home, 'logs')}/<app>.log) ...`);
try {
  started = startApps({
    node,
    signal: starting.signal,
    onStart(app, log) {
      states.set(app.name, 'starting');
      unfollow.push(
        followLog(log, (line) => {
          const pretty = prettyLogLine(app.name, line, { minLevel, color: tty });
          if (pretty === undefined) return;
          if (prettyLogLine(app.name, line) !== undefined) warnings += 1;
          say(pretty);
        }),
      );
    },
    onReady(app) {
      states.set(app.name, 'ready');
      if (tty) showStatus(current());
      else console.log(`[start] ${app.name.padEnd(22)} ready`);
    },
  });
  platform = await started;
} catch (error) {
  if (tty && status) process.stdout.write('\n');
  status = '';
  if (!stopping) console.error(`[start] ${readable(error.message.split(' ')[0], error.message)}`);
  await stop(1);
}

const endpoints = JSON.parse(readFileSync(join(home, 'endpoints.json'), 'utf8'));
// Public development keys (committed, marked so): the ones to try the console and the APIs with.
const dev = JSON.parse(readFileSync(join(root, 'deploy/local/dev-credentials.json'), 'utf8'));
const keyOf = (keyId) => dev.queryApi.find((k) => k.keyId === keyId)?.key;
const storeClient = dev.storeIngest.find((c) => c.clientId === 'store-001-tills');
const urlOf = (name) => platform.running.find(({ app }) => app.name === name)?.app.url;
const originOf = (name) => (urlOf(name) ? new URL(urlOf(name)).origin : '(not started)');
const withoutPassword = (url) => url?.replace(/\/\/[^@/]*@/, '//');
const kafkaAccess =
  endpoints.KAFKA_TLS === 'true'
    ? `Kafka is SASL_SSL (SCRAM-SHA-512, CA ${endpoints.KAFKA_CA_FILE}): each app is its own user with its ACLs (packages/kafka access.ts); passwords in ${endpoints.KAFKA_PASSWORD_DIR}/<user>, the administrator "${endpoints.KAFKA_SASL_USERNAME}" in stack.env`
    : 'Kafka is PLAINTEXT without authentication (INVENTORY_STACK_KAFKA_SECURITY=plaintext, a development option)';
if (tty) process.stdout.write('\r\x1b[K');
status = '';
console.log(`
The local platform is up: ${platform.running.length} apps, logs in ${join(home, 'logs')}/<app>.log (JSON).

Look
  Web console:        ${urlOf('console') ?? '(not started)'}   (paste the key ${keyOf('stores')}, dev only)
  Query API:          ${urlOf('inventory-query-api')}   (OpenAPI; key ${keyOf('webshop')}, dev only)
                      curl -H "Authorization: Bearer ${keyOf('webshop')}" ${originOf('inventory-query-api')}/v1/availability/SKU-1001
  Ingest API:         ${urlOf('store-ingest')}   (OpenAPI; store token ${storeClient?.token}, ${storeClient?.locationIds.join(', ')} only, dev only)
  Prometheus:         ${endpoints.PROMETHEUS_URL ? `${endpoints.PROMETHEUS_URL}/graph` : '(skipped)'}   (rules: deploy/prometheus/rules; Grafana: deploy/grafana)
  Object store (S3):  ${endpoints.S3_ENDPOINT ?? '(skipped)'}   (path-style; key pair in stack.env: S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY)
                      lake ${endpoints.S3_LAKE_URI}, ERP archive ${endpoints.S3_ERP_ARCHIVE_URI}
Stack (npm run stack -- status; endpoints with secrets in ${join(home, 'stack.env')})
  Kafka ${endpoints.KAFKA_BROKERS} (topics inventory.*.v1) · schema registry ${endpoints.SCHEMA_REGISTRY_URL} · Kafka Connect ${endpoints.CONNECT_URL}
  ${kafkaAccess}
  Redis ${withoutPassword(endpoints.REDIS_URL)} (each app its own ACL user) · PostgreSQL ${withoutPassword(endpoints.POSTGRES_SAP_URL)} · RabbitMQ ${withoutPassword(endpoints.AMQP_URL)}
Try
  npm run loadgen -- --profile small          load through the ingest API
  npm run sap -- post 100 10                  SAP goods movements, captured by Debezium
  npm run lake:query -- "SELECT type, count(*) FROM events GROUP BY type"
  npm run erp:dlq -- list                     ERP dead letters (redrive: -- redrive --key <orderId>)
  npm run reconcile -- run                    ERP snapshot vs platform, now (scheduled 02:00 UTC)
Apps:`);
for (const { app } of platform.running) console.log(`  ${app.name.padEnd(28)} ${app.url}`);
if (options.dcs === '3') {
  const endpointsOf = (dc) =>
    dc === 'dc1' ? endpoints : JSON.parse(readFileSync(join(home, dc, 'endpoints.json'), 'utf8'));
  console.log(`
Three data centres (MirrorMaker 2 between them: npm run stack -- status --dcs 3)`);
  for (const dc of ['dc1', 'dc2', 'dc3']) {
    const at = (name) => urlOf(dc === 'dc1' ? name : `${name}@${dc}`);
    const own = endpointsOf(dc);
    console.log(`  ${dc}  query API ${at('inventory-query-api')} · ingest ${at('store-ingest')}
       Kafka ${own.KAFKA_BROKERS} · Redis ${withoutPassword(own.REDIS_URL)}`);
  }
  console.log(`  Every query API answers the whole network, each location with its home data centre
  and each data centre's part with its freshness (dataCentres); a reservation is decided in
  its location's home. Locations are homed by master data (deploy/local/seed/locations.json):
  events for a location sent to another data centre are dead-lettered there
  (FOREIGN_DATA_CENTRE), so the mainframe's and SAP's movements, which reach dc1, count for
  dc1's locations only.
  curl -H "Authorization: Bearer ${keyOf('webshop')}" ${originOf('inventory-query-api@dc2')}/v1/availability/SKU-1001
  npm run stack -- partition dc1 dc2          cut the mirror between two data centres (heal: npm run stack -- heal)`);
}
console.log(
  `\nShown here: the apps' ${options.logs ? 'log lines from info up' : 'warnings and errors (npm start -- --logs for every line)'}, and a status line. Ctrl-C stops the apps${wasUp ? '.' : ' and the stack.'}\n`,
);

// An app that fails on its own leaves the others running; its log says why.
for (const { exited, log, from } of platform.running)
  exited.then(({ app, code, signal }) => {
    if (stopping) return;
    states.set(app, `exited ${code ?? signal}`);
    say(
      `[start] ${app} exited (${code ?? signal}); the others keep running. Its log ends:\n${readable(app, tail(log, 25, from))}`,
    );
    if (tty) showStatus(current());
  });

/** One figure from Prometheus (the recording rules of deploy/prometheus/rules), or undefined. */
async function figure(query) {
  try {
    const response = await fetch(
      `${endpoints.PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(query)}`,
      {
        signal: AbortSignal.timeout(1_500),
      },
    );
    return vectorSum(await response.json());
  } catch {
    return undefined;
  }
}

async function refresh() {
  if (stopping) return;
  if (endpoints.PROMETHEUS_URL) {
    const [incoming, applied, lag] = await Promise.all([
      figure('inventory:ingest_events:rate1m'),
      figure('inventory:events_applied:rate1m'),
      figure('inventory:consumer_lag:sum'),
    ]);
    flow = { in: incoming, applied, lag };
  }
  if (!stopping) showStatus(current());
}
await refresh();
// The status line stays in the foreground while the platform runs.
setInterval(refresh, tty ? 2_000 : 60_000);
