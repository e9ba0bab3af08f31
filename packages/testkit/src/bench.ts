import { readFileSync } from 'node:fs';
import { waitFor } from '@inventory/core';
import type { Cluster, Redis } from 'ioredis';
import type { AppProcess } from './process.ts';

/**
 * A benchmark script's positional numbers (`bench.ts 5000000 5000`), each with its default
 * when left out; a word where a number belongs stops the script with the position named,
 * instead of a run measured on NaN.
 */
export function numberArgs<const T extends readonly number[]>(
  defaults: T,
  argv: readonly string[] = process.argv.slice(2),
): { [K in keyof T]: number } {
  return defaults.map((fallback, i) => {
    const given = argv[i];
    if (given === undefined) return fallback;
    const value = Number(given);
    if (!Number.isFinite(value)) throw new Error(`argument ${i + 1}: '${given}' is not a number`);
    return value;
  }) as { [K in keyof T]: number };
}

/**
 * Settings a benchmark starts its app with besides its own (`BENCH_AGG_ENV="AGG_X=1 AGG_Y=2"`),
 * to compare them run by run; an entry without `=` or a name is refused by its text.
 */
export function settingsArg(text: string | undefined): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of text?.split(' ').filter(Boolean) ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`'${pair}' is not NAME=value`);
    settings[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return settings;
}

/** Redis' used_memory summed over the primaries (one node for a single Redis). */
export async function usedMemory(redis: Redis | Cluster): Promise<number> {
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  let bytes = 0;
  for (const node of nodes) bytes += Number(/used_memory:(\d+)/.exec(await node.info('memory'))?.[1] ?? 0);
  return bytes;
}

/**
 * Seconds an app process takes to work through `total` items, timed from its first counted
 * item (`started` > 0) to `done` >= total, so start-up and group joins stay out of the rate.
 */
export async function secondsToCount(
  app: Pick<AppProcess, 'metric'>,
  metrics: { started: string; done: string },
  total: number,
  what: string,
): Promise<number> {
  await waitFor(async () => (await app.metric(metrics.started).catch(() => 0)) > 0, {
    description: `${what}: a first item`,
    timeoutMs: 180_000,
    intervalMs: 20,
  });
  const started = Date.now();
  await waitFor(async () => (await app.metric(metrics.done)) >= total, {
    description: `${what}: all ${total}`,
    timeoutMs: 3_600_000,
    intervalMs: 100,
  });
  return (Date.now() - started) / 1000;
}

/** The q-quantile (0..1) of already sorted values, nearest rank; NaN for none. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Parses /proc/<pid>/stat: the command may hold spaces and parentheses, so fields follow the last ')'. */
export function parseStat(stat: string): { ppid: number; ticks: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
  const n = (i: number) => Number(fields[i]);
  return { ppid: n(1), ticks: n(11) + n(12) + n(13) + n(14) };
}

/** Linux' USER_HZ, the unit of /proc's times: 100 on every mainstream kernel (`getconf CLK_TCK`). */
export const ticksPerSecond = 100;

/**
 * CPU seconds (all threads, and its reaped children) a live process has used, from
 * /proc/<pid>/stat: what a benchmark divides by the items it processed for its CPU per item.
 */
export function cpuSecondsOf(pid: number): number {
  return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks / ticksPerSecond;
}

/** The most memory a live process has held resident so far (VmHWM of /proc/<pid>/status), in MB. */
export function peakResidentMbOf(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`/proc/${pid}/status has no VmHWM line`);
  return Math.round(Number(kb) / 1024);
}
