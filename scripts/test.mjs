#!/usr/bin/env node
// `npm test`: install what is missing, typecheck, lint, unit tests, then bring the local
// stack up (unless it already runs), integration tests, and stop what this run started.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureInstalled, root } from './bootstrap.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', FORCE_COLOR: process.env.CI ? '0' : '1' };
let current;
let stopping = false;

function step(title, command, args) {
  console.log(`\n[test] ${title}`);
  return new Promise((resolve) => {
    current = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    current.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

const stack = (command) =>
  step(`stack ${command}`, bin('tsx'), [join(root, 'tools/local-stack/src/cli.ts'), command]);

const reports = mkdtempSync(join(tmpdir(), 'inventory-test-'));
const vitest = (project) =>
  step(`${project} tests`, bin('vitest'), [
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${join(reports, `${project}.json`)}`,
  ]);

function totals() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const project of ['unit', 'integration']) {
    const file = join(reports, `${project}.json`);
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
  let code = await step('typecheck (turbo)', bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only']);
  if (code === 0) code = await step('lint and format check (biome)', bin('biome'), ['check', '.']);
  if (code === 0) code = await vitest('unit');
  let startedStack = false;
  if (code === 0 && !stopping) {
    // A stack that runs already (even in part) is completed and left running; one this run
    // brought up from nothing is taken down again.
    startedStack = (await stack('status')) === 4;
    code = await stack('up');
    if (code !== 0)
      console.error(
        '[test] the local stack did not come up; see the message above and `npm run stack -- logs`',
      );
  }
  if (code === 0 && !stopping) code = await vitest('integration');
  if (startedStack) {
    const downCode = await stack('down');
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
    current?.kill(signal);
  });
}

main();
