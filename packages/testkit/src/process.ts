import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { builtEntry } from '@inventory/config';
import { InventoryError, machineListeningSockets, waitFor } from '@inventory/core';
import { stackHome } from './stack.ts';

export interface AppProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  /** The sum of a Prometheus metric's samples (all label sets) from the app's /metrics. */
  metric: (name: string) => Promise<number>;
}

/**
 * Servers a test starts (its apps, a Redis of its own) listen on ports below Linux' ephemeral
 * range (32768-60999): a port picked there can be taken at any moment by an outgoing
 * connection of any process (a Kafka or Redis client), and the server would fail with
 * EADDRINUSE. Integration files run two at a time (vitest.config.ts): each of vitest's two
 * workers (VITEST_POOL_ID 1 and 2) takes its ports from its own half of the range, so files
 * side by side never pick the same one; each test process starts at a random place of its
 * part. A port some server of the machine already listens on is passed over (RabbitMQ's
 * Erlang distribution port 25672 is in the range).
 */
export function appPortRange(poolId: string | undefined): { low: number; high: number } {
  const low = 24_000;
  const high = 32_700;
  const pool = Number(poolId);
  if (pool !== 1 && pool !== 2) return { low, high };
  const half = Math.floor((high - low) / 2);
  return pool === 1 ? { low, high: low + half } : { low: low + half, high };
}

const portRange = appPortRange(process.env.VITEST_POOL_ID);
let nextPort = portRange.low + Math.floor(Math.random() * (portRange.high - portRange.low));

/** A port for a server the test starts, that nothing listens on now (see appPortRange). */
export function takePort(): number {
  const port = portFrom(nextPort, new Set(machineListeningSockets().map((s) => s.port)), portRange);
  nextPort = port + 1;
  return port;
}

/** The first port from `start` on, wrapping round the range (a start at its end is its start), not in `listened`. */
export function portFrom(
  start: number,
  listened: ReadonlySet<number>,
  range: { low: number; high: number },
): number {
  const size = range.high - range.low;
  for (let i = 0; i < size; i++) {
    const port = range.low + ((start - range.low + i) % size);
    if (!listened.has(port)) return port;
  }
  throw new InventoryError(
    'STACK_START_FAILED',
    `every port of ${range.low}-${range.high - 1} is listened on`,
  );
}

// An app a failing test never got to stop must not outlive the test file: whatever is still
// running when the test process exits is killed.
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/**
 * How an app's process is started in `appDir`: its TypeScript through tsx, or, with
 * INVENTORY_APP_BUILD=dist, the compiled bundle of `npm run build` as the images run it
 * (`npm test` runs the built store-ingest's tests so, on the images' Node).
 */
export function appEntry(appDir: string): string[] {
  const built = builtEntry(appDir);
  return built === undefined ? ['--import', 'tsx', 'src/main.ts'] : ['--enable-source-maps', built];
}

/**
 * The sum of a metric's samples in a Prometheus text exposition: of every label set, or of
 * those with each of `labels` (e.g. `{ from: 'redis' }`).
 */
export function metricIn(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  return [...text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, 'gm'))]
    .filter((m) => wanted.every((pair) => (m[1] ?? '').split(',').includes(pair)))
    .reduce((sum, m) => sum + Number(m[2]), 0);
}

/** A histogram's mean (its _sum over its _count) in a Prometheus text exposition. */
export const meanIn = (text: string, histogram: string): number =>
  metricIn(text, `${histogram}_sum`) / metricIn(text, `${histogram}_count`);

/**
 * An app's real process (`node --import tsx src/main.ts` in `appDir`, or its build: appEntry):
 * node itself runs the app, with no wrapper process, so signals reach it. `portSetting` names
 * the setting of its HTTP port, which gets a free port of a wide range.
 */
export function startAppProcess(
  appDir: string,
  env: NodeJS.ProcessEnv,
  portSetting: string,
  nodeArgs: string[] = [],
): AppProcess {
  const port = takePort();
  const child = spawn(process.execPath, [...nodeArgs, ...appEntry(appDir)], {
    cwd: appDir,
    env: { ...env, [portSetting]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  // Kept as a file too, under the stack's logs, for the scan of a whole run's logs for secrets.
  const logs = join(stackHome(), 'logs', 'test-apps');
  mkdirSync(logs, { recursive: true });
  const log = createWriteStream(join(logs, `${basename(appDir)}-${port}-${child.pid}.log`), { flags: 'a' });
  child.once('close', () => log.end());
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
    log.write(d);
  });
  child.stderr?.on('data', (d) => {
    output += d;
    log.write(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const metric = async (name: string) =>
    metricIn(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), name);
  return { child, port, output: () => output, exited, metric };
}

/**
 * Waits until the app's /readyz answers 200, naming the app's output so far when it does not;
 * an app that exits meanwhile fails the wait at once, with its output.
 */
export async function appReady(app: AppProcess, timeoutMs = 60_000): Promise<void> {
  let settled = false;
  const ready = waitFor(
    async () => (await fetch(`http://127.0.0.1:${app.port}/readyz`).catch(() => undefined))?.ok,
    {
      description: () =>
        `the app on port ${app.port} to be ready (output so far: ${app.output().slice(-800)})`,
      timeoutMs,
      intervalMs: 100,
    },
  );
  const exited = app.exited.then((code) => {
    if (!settled)
      throw new InventoryError(
        'STACK_START_FAILED',
        `the app exited (${code}) before it was ready: ${app.output().slice(-1500)}`,
      );
  });
  try {
    await Promise.race([ready, exited]);
  } finally {
    settled = true;
  }
}

/** Sends `signal` and waits for the exit: its code and how long the orderly stop took. */
export async function stopApp(
  app: AppProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  app.child.kill(signal);
  const code = await app.exited;
  return { code, ms: Date.now() - started };
}

/**
 * Lines a correctly configured app never prints at start-up: kafkajs' warnings of a producer
 * without an explicit partitioner or with bounded retries on an idempotent producer.
 */
export function clientWarnings(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /switched default partitioner|Limiting retries for the idempotent producer/.test(line));
}

/**
 * Stops the app with SIGTERM and holds it to the contract of an orderly stop: exit 0 within
 * `deadlineMs`, and no client warning at any point of its life. Returns how long it took.
 */
export async function expectOrderlyStop(app: AppProcess, deadlineMs: number): Promise<number> {
  const { code, ms } = await stopApp(app);
  const tail = app.output().slice(-3000);
  if (code !== 0) throw new Error(`exit code ${code} after SIGTERM (output: ${tail})`);
  if (ms >= deadlineMs) throw new Error(`the stop took ${ms} ms, more than the deadline of ${deadlineMs} ms`);
  const warnings = clientWarnings(app.output());
  if (warnings.length > 0) throw new Error(`client warnings: ${warnings.join('\n')}`);
  return ms;
}

/** Runs an app's main once to its exit (a start-up that must fail): its status and output. */
export function runMain(
  appDir: string,
  env: Record<string, string>,
): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, appEntry(appDir), {
    cwd: appDir,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

/**
 * Runs an app's command-line tool (a .ts file, through tsx) with `--json` output: its lines
 * parsed, and what it said on stderr; a non-zero exit throws with that.
 */
export function runJsonCli(
  cli: string,
  args: string[],
  env: Record<string, string | undefined>,
): { rows: unknown[]; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status !== 0)
    throw new Error(`${cli} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
  return { rows: lines.map((line) => JSON.parse(line)), stderr: result.stderr };
}
