import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { delay, InventoryError } from '@inventory/core';

export interface DaemonSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  pidFile: string;
  /** Run as this user (root starting PostgreSQL, which refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Open descriptors handed to the process as fd 3, 4, ... */
  extraFds?: number[];
}

/**
 * Starts a long-running process in its own process group, detached from the caller,
 * output appended to its log file. The pid file is what `down` and `status` trust.
 */
export function spawnDaemon(spec: DaemonSpec): number {
  mkdirSync(dirname(spec.logFile), { recursive: true });
  mkdirSync(dirname(spec.pidFile), { recursive: true });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log, ...(spec.extraFds ?? [])],
      ...(spec.uid === undefined ? {} : { uid: spec.uid }),
      ...(spec.gid === undefined ? {} : { gid: spec.gid }),
    });
    if (child.pid === undefined) {
      throw new InventoryError('STACK_SPAWN_FAILED', `could not start ${spec.command}; see ${spec.logFile}`);
    }
    child.on('error', () => {
      // Reported through the health check and the log file; an unhandled 'error' would crash the CLI.
    });
    child.unref();
    writeFileSync(spec.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True for a live process; a zombie (exited, not yet reaped) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function signalOne(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(100);
  }
  return true;
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

/**
 * Asks the process (group) to stop with `signal`, and kills the group after `graceMs`. The
 * group is signalled because launch scripts (RabbitMQ's) leave children behind.
 */
export async function stopDaemon(
  pidFile: string,
  signal: NodeJS.Signals,
  graceMs: number,
  options: { group?: boolean } = {},
): Promise<StopOutcome> {
  const pid = readPid(pidFile);
  const outcome = pid === undefined ? 'not-running' : await stopProcess(pid, signal, graceMs, options);
  rmSync(pidFile, { force: true });
  return outcome;
}

export async function stopProcess(
  pid: number,
  signal: NodeJS.Signals,
  graceMs: number,
  options: { group?: boolean } = {},
): Promise<StopOutcome> {
  if (!isAlive(pid)) return 'not-running';
  // PostgreSQL wants the signal on the postmaster alone; it shuts its children down itself.
  if (options.group === false) signalOne(pid, signal);
  else signalGroup(pid, signal);
  if (await waitGone(pid, graceMs)) return 'stopped';
  signalGroup(pid, 'SIGKILL');
  if (!(await waitGone(pid, 10_000))) {
    throw new InventoryError('STACK_STOP_FAILED', `process ${pid} survived SIGKILL`);
  }
  return 'killed';
}

export interface ProcessInfo {
  pid: number;
  args: string;
}

/** A process' environment (NAME=value entries), or undefined when it is gone or not readable. */
export function environmentOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Every live process whose command line mentions `marker` (the stack's home folder). */
export function processesMentioning(marker: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (args.includes(marker) && isAlive(pid)) found.push({ pid, args });
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}
