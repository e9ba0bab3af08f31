// The local platform's apps as processes: started from the launcher table
// (tools/local-stack/src/apps.ts), each in a process group of its own with its output in
// `.stack/logs/<app>.log`, reported running only once its /readyz answers, and stopped in
// an orderly way. Used by `npm start` and `npm run bench:e2e`.
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { root } from './bootstrap.mjs';

export const cli = 'tools/local-stack/src/cli.ts';
export const stackHome = () => process.env.INVENTORY_STACK_HOME ?? join(root, '.stack');

/** The launcher table: name, url, ready (JSON from the stack CLI). */
export function listApps() {
  const listed = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, cli), 'apps'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(listed.stderr);
  return JSON.parse(listed.stdout);
}

/** The last lines of a file, for an app that failed: of what it wrote from byte `from` on (this run). */
export function tail(file, lines = 25, from = 0) {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file).subarray(from).toString('utf8').trimEnd();
  return text === '' ? '(nothing logged)' : text.split('\n').slice(-lines).join('\n');
}

async function isReady(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Follows a log file from its current end (what is there already belongs to earlier runs):
 * each complete line appended from now on is handed to `onLine`. Polls, so that a file
 * written by another process is seen the same way on every file system. Returns `stop`.
 */
export function followLog(file, onLine, intervalMs = 500) {
  let offset = existsSync(file) ? statSync(file).size : 0;
  let partial = '';
  // A character cut by a read's end is completed by the next read.
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(64 * 1024);
  const poll = () => {
    if (!existsSync(file)) return;
    const fd = openSync(file, 'r');
    try {
      // A log cut short (truncated) is read again from its start.
      if (fstatSync(fd).size < offset) offset = 0;
      for (;;) {
        const read = readSync(fd, buffer, 0, buffer.length, offset);
        if (read === 0) break;
        offset += read;
        const lines = (partial + decoder.write(buffer.subarray(0, read))).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      }
    } finally {
      closeSync(fd);
    }
  };
  const timer = setInterval(poll, intervalMs);
  return () => {
    clearInterval(timer);
    poll();
  };
}

/**
 * Starts every app (on `node`; `onStart` hears of each with its log file before it is
 * spawned) and waits until each is ready, or until `signal` aborts. Resolves with the running platform, or
 * rejects naming the first app that exited or was not ready within `readyTimeoutMs` (with
 * the end of its log); the others are stopped then.
 */
export async function startApps({
  apps = listApps(),
  readyTimeoutMs = 180_000,
  onReady,
  onStart,
  node = process.execPath,
  signal,
  env = process.env,
} = {}) {
  const logs = join(stackHome(), 'logs');
  mkdirSync(logs, { recursive: true });
  const running = apps.map((app) => {
    const log = join(logs, `${app.name}.log`);
    onStart?.(app, log);
    // The log is appended to across runs: what this run wrote starts here.
    const from = existsSync(log) ? statSync(log).size : 0;
    const fd = openSync(log, 'a');
    const child = spawn(node, ['--import', 'tsx', join(root, 'tools/local-stack/src/launch.ts'), app.name], {
      cwd: root,
      env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    const exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve({ app: app.name, code, signal })),
    );
    return { app, child, exited, log, from, ready: false };
  });
  const platform = {
    running,
    stop: (killAfterMs) => stopApps(running, killAfterMs),
  };
  const deadline = Date.now() + readyTimeoutMs;
  try {
    await Promise.all(
      running.map(async (r) => {
        let exit;
        r.exited.then((e) => {
          exit = e;
        });
        while (!(await isReady(r.app.ready))) {
          if (signal?.aborted) throw new Error('start-up interrupted');
          if (exit)
            throw new Error(
              `${r.app.name} exited (${exit.code ?? exit.signal}) before it was ready:\n${tail(r.log, 25, r.from)}`,
            );
          if (Date.now() > deadline)
            throw new Error(
              `${r.app.name} was not ready within ${readyTimeoutMs / 1000} s:\n${tail(r.log, 25, r.from)}`,
            );
          await sleep(250);
        }
        r.ready = true;
        onReady?.(r.app);
      }),
    );
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}

/**
 * SIGTERM to every app's process group (each stops within its own shutdown deadline, 20 s
 * by default); one still running after `killAfterMs` is killed with its group. Resolves with
 * the apps that did not exit 0.
 */
export async function stopApps(running, killAfterMs = 30_000) {
  for (const { child } of running)
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    for (const { app, child } of running) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      console.error(`[platform] ${app.name} did not stop within ${killAfterMs / 1000} s: killed`);
      process.kill(-child.pid, 'SIGKILL');
    }
  }, killAfterMs);
  const results = await Promise.all(running.map((r) => r.exited));
  clearTimeout(timer);
  return results.filter((r) => r.code !== 0);
}
