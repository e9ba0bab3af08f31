import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStat, ticksPerSecond } from '@inventory/testkit';

export { parseStat };

/**
 * CPU time of the platform's processes, read from /proc, so a load run can say what each
 * part costs per event. A part is a process the local stack or `npm start` runs, with every
 * process below it (PostgreSQL's backends, RabbitMQ's epmd): its CPU is the user and system
 * time of the live processes of its tree, each with what its reaped children used (so a
 * backend that exits between two readings still counts, in its parent).
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

/**
 * The parts' root processes: the stack's from its pid files (`<home>/run/<part>.pid`, e.g.
 * `rabbitmq-beam`), the apps of `npm start` from their launcher's command line.
 */
export function stackRoots(stackHome: string): Map<number, string> {
  const roots = new Map<number, string>();
  const run = join(stackHome, 'run');
  if (!existsSync(run)) return roots;
  for (const file of readdirSync(run)) {
    if (!file.endsWith('.pid')) continue;
    const pid = Number(readFileSync(join(run, file), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) roots.set(pid, file.slice(0, -4).replace(/-beam$/, ''));
  }
  return roots;
}

/** Which part a process is the root of: a stack part by its pid, an app by its launcher, or undefined. */
export function partOf(
  process: Pick<ProcessInfo, 'pid' | 'args'>,
  roots: Map<number, string>,
): string | undefined {
  return roots.get(process.pid) ?? /launch\.ts ([a-z0-9-]+)(?:\s|$)/.exec(process.args)?.[1];
}

function readProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const { ppid, ticks } = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      processes.push({ pid: Number(name), ppid, args, ticks });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return processes;
}

/**
 * Processes of a part counted on their own line: what they do is not the part's own work
 * for the platform. PostgreSQL's walsender is Debezium's logical decoding, which reads the
 * WAL of the whole cluster: on the local stack SAP's database and the platform's job records
 * (the ERP delivery's sales summary) share one PostgreSQL, where in production SAP's is its own.
 */
const processRoles: readonly { part: string; args: RegExp; role: string }[] = [
  { part: 'postgres', args: /^postgres: walsender /, role: 'postgres-walsender' },
];

/** The line a process of `part` counts on: its role's, or the part's. */
export function roleOf(process: Pick<ProcessInfo, 'args'>, part: string): string {
  return processRoles.find((r) => r.part === part && r.args.test(process.args))?.role ?? part;
}

/**
 * Ticks per part: each process counts for the part of its nearest classified ancestor (or
 * itself), on the line of its role (roleOf). A process that exits between two readings
 * counts for its parent from then on, so a role's processes should outlive a run.
 */
export function ticksByPart(processes: ProcessInfo[], roots: Map<number, string>): Map<string, number> {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const parts = new Map<number, string | undefined>();
  const resolve = (pid: number, depth = 0): string | undefined => {
    if (parts.has(pid)) return parts.get(pid);
    const process = byPid.get(pid);
    let part: string | undefined;
    if (process && depth < 64) part = partOf(process, roots) ?? resolve(process.ppid, depth + 1);
    parts.set(pid, part);
    return part;
  };
  const totals = new Map<string, number>();
  for (const p of processes) {
    const part = resolve(p.pid);
    if (!part) continue;
    const line = roleOf(p, part);
    totals.set(line, (totals.get(line) ?? 0) + p.ticks);
  }
  return totals;
}

/** A reading of every part's CPU seconds so far. */
export function readCpu(stackHome: string): Map<string, number> {
  const seconds = new Map<string, number>();
  for (const [part, ticks] of ticksByPart(readProcesses(), stackRoots(stackHome)))
    seconds.set(part, ticks / ticksPerSecond);
  return seconds;
}

export interface CpuCost {
  part: string;
  cpuSeconds: number;
  /** CPU microseconds per event accepted. */
  microsPerEvent: number;
}

/** The CPU each part used between two readings, per event, the most expensive first. */
export function cpuCost(before: Map<string, number>, after: Map<string, number>, events: number): CpuCost[] {
  const costs: CpuCost[] = [];
  for (const [part, seconds] of after) {
    const used = Math.max(0, seconds - (before.get(part) ?? 0));
    costs.push({
      part,
      cpuSeconds: Math.round(used * 100) / 100,
      microsPerEvent: events > 0 ? Math.round((used / events) * 1e7) / 10 : 0,
    });
  }
  return costs.sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}
