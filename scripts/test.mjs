#!/usr/bin/env node
// `npm test`: install what is missing (npm packages; Debian's prometheus and chromium), typecheck,
// lint, build, unit tests (on this Node and on the images' Node 24) while the local stack comes
// up with its Redis Cluster (unless it already runs), then integration tests, the read model's tests
// again against the cluster, the built store-ingest's tests on Node 24, the scan of every log
// of the run for the generated secrets, and stop what this run started.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureInstalled, root } from './bootstrap.mjs';
import { ensureNode24 } from './node24.mjs';
import { ensureTestPackages } from './system-packages.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  FORCE_COLOR: process.env.CI ? '0' : '1',
  // The stack with its Redis Cluster, for the cluster pass and the failover test.
  INVENTORY_STACK_REDIS_CLUSTER: 'true',
};

/** The tests that run a second time with the read model on the Redis Cluster. */
const clusterFiles = [
  'apps/inventory-aggregator/src/store/redis-store.int.test.ts',
  'apps/inventory-aggregator/test/aggregator.int.test.ts',
  'apps/inventory-aggregator/test/redis-acl.int.test.ts',
  'apps/inventory-query-api/test/e2e.int.test.ts',
  'apps/inventory-query-api/test/reservations.int.test.ts',
  'apps/stock-reconciliation/test/reconciliation.int.test.ts',
];
/** The steps running now: the stack comes up beside the checks and the unit tests. */
const running = new Set();
let stopping = false;

/**
 * The test runs' output is kept under the stack's logs too (test-run/<report>.log), where the
 * apps the tests start keep theirs: the scan at the end looks for secrets in all of it.
 */
const runLogs = join(resolve(process.env.INVENTORY_STACK_HOME ?? join(root, '.stack')), 'logs', 'test-run');

function step(title, command, args, extraEnv = {}, log = undefined) {
  console.log(`\n[test] ${title}`);
  const began = Date.now();
  return new Promise((done) => {
    const options = { cwd: root, env: { ...env, ...extraEnv } };
    let child;
    let file;
    if (log === undefined) child = spawn(command, args, { ...options, stdio: 'inherit' });
    else {
      mkdirSync(runLogs, { recursive: true });
      file = createWriteStream(join(runLogs, `${log}.log`));
      child = spawn(command, args, { ...options, stdio: ['inherit', 'pipe', 'pipe'] });
      for (const [from, to] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ]) {
        from.pipe(to, { end: false });
        from.pipe(file, { end: false });
      }
    }
    running.add(child);
    child.on('close', (code, signal) => {
      running.delete(child);
      const result = code ?? (signal ? 128 : 1);
      // Where a run's time goes, step by step, is in its output (a CI job keeps only that).
      console.log(
        `[test] ${title}: ${result === 0 ? 'done' : `exit ${result}`} in ${((Date.now() - began) / 1000).toFixed(0)} s`,
      );
      // A step's log is whole once it is answered: what follows may read it.
      if (file === undefined) done(result);
      else file.end(() => done(result));
    });
  });
}

/**
 * The stack CLI on the images' Node, as `npm run stack` runs it (the AWS SDK warns under Node
 * < 22), with three data centres for the network view's tests. Only the CLI is told so: the
 * tests of the CLI start stacks of their own, of one data centre unless they ask for three.
 */
const stack = (command, node) =>
  step(
    `stack ${command}`,
    node,
    ['--import', 'tsx', join(root, 'tools/local-stack/src/cli.ts'), command],
    { INVENTORY_STACK_DCS: '3' },
    `stack-${command}`,
  );

const reports = mkdtempSync(join(tmpdir(), 'inventory-test-'));
const runs = [];

/**
 * One vitest run of one project or more (in their group order), its report kept for the
 * totals; `node` runs vitest itself (and the apps it spawns).
 */
function vitest(report, projects, { node = process.execPath, files = [], extraEnv = {} } = {}) {
  runs.push(report);
  return step(
    `${report} tests`,
    node,
    [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      ...[projects].flat().flatMap((project) => ['--project', project]),
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(reports, `${report}.json`)}`,
      ...files,
    ],
    extraEnv,
    report,
  );
}

/** The images' Node (scripts/node24.mjs), installed on first use; undefined when that failed. */
function node24() {
  try {
    return ensureNode24((line) => console.log(line));
  } catch (error) {
    console.error(`[test] ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function totals() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const run of runs) {
    const file = join(reports, `${run}.json`);
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numRuntimeErrors ?? 0);
    skipped += report.numPendingTests + report.numTodoTests;
  }
  return { passed, failed, skipped };
}

async function main() {
  ensureInstalled();
  const started = Date.now();
  const missing = ensureTestPackages();
  if (missing) {
    console.error(`[test] ${missing}`);
    process.exit(1);
  }
  // The images' Node first: the stack comes up on it while the checks and the unit tests run
  // (it needs neither, and it takes a minute or more that they would otherwise wait for).
  const images = node24();
  let code = images === undefined ? 1 : 0;
  let startedStack = false;
  let stackRan = false;
  const stackUp =
    code === 0
      ? (async () => {
          // A stack that runs already (even in part) is completed and left running; one this
          // run brought up from nothing is taken down again.
          startedStack = (await stack('status', images)) === 4;
          stackRan = true;
          return stopping ? 1 : stack('up', images);
        })()
      : Promise.resolve(0);
  if (code === 0)
    code = await step('typecheck (npm run typecheck)', process.execPath, [
      join(root, 'scripts', 'typecheck.mjs'),
    ]);
  if (code === 0) code = await step('lint and format check (biome)', bin('biome'), ['check', '.']);
  if (code === 0) code = await step('build (npm run build)', 'npm', ['run', 'build']);
  if (code === 0) code = await vitest('unit', 'unit');
  if (code === 0 && !stopping) code = await vitest('unit-node24', 'unit', { node: images });
  const upCode = await stackUp;
  if (code === 0 && !stopping) {
    code = upCode;
    if (code !== 0) {
      // Its lines went out beside the checks' and the unit tests': the end of its own log
      // again, where a CI job's tail shows it.
      const log = join(runLogs, 'stack-up.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-60) : [];
      console.error(`[test] the local stack did not come up; the end of ${log}:`);
      for (const line of tail) console.error(`  ${line}`);
      console.error("[test] the parts' own logs: `npm run stack -- logs`");
    }
  }
  // Two at a time, then those that stop or wipe a part of the shared stack one at a time
  // (vitest.config.ts).
  if (code === 0 && !stopping) code = await vitest('integration', ['integration', 'integration-alone']);
  if (code === 0 && !stopping)
    code = await vitest('integration-cluster', 'integration', {
      files: clusterFiles,
      extraEnv: { INVENTORY_TEST_REDIS: 'cluster' },
    });
  // The compiled store-ingest (dist/main.js) as its image runs it: on Node 24, against the stack.
  if (code === 0 && !stopping)
    code = await vitest('built-node24', 'integration', {
      node: images,
      files: ['apps/store-ingest/test/main.int.test.ts'],
      extraEnv: { INVENTORY_APP_BUILD: 'dist' },
    });
  // Whatever the tests' outcome: no generated secret in any log of the stack, the apps or the runs.
  if (stackRan && !stopping) {
    const scanCode = await stack('scan-logs', images ?? process.execPath);
    if (code === 0) code = scanCode;
  }
  if (startedStack) {
    const downCode = await stack('down', images ?? process.execPath);
    if (code === 0) code = downCode;
  }
  const { passed, failed, skipped } = totals();
  rmSync(reports, { recursive: true, force: true });
  console.log(`\n[test] finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`test: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && failed === 0 ? 0 : code || 1);
}

// Ctrl-C or a CI timeout: let the running step end, then still stop the stack we started.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    for (const child of running) child.kill(signal);
  });
}

main();
