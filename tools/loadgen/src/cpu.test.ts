import { describe, expect, it } from 'vitest';
import { cpuCost, type ProcessInfo, parseStat, partOf, roleOf, ticksByPart } from './cpu.ts';

describe('CPU per part', () => {
  it('reads ppid and the four times of /proc/<pid>/stat, whatever the command holds', () => {
    const stat = '4242 (node (worker) x) S 4000 4242 4242 0 -1 4194560 100 0 0 0 150 25 7 3 20 0 11 0 5 0 0';
    expect(parseStat(stat)).toEqual({ ppid: 4000, ticks: 150 + 25 + 7 + 3 });
  });

  it('names a stack part by its pid and an app by its launcher', () => {
    const roots = new Map([[10, 'kafka']]);
    expect(partOf({ pid: 10, args: 'java -cp x kafka.Kafka' }, roots)).toBe('kafka');
    expect(
      partOf({ pid: 11, args: 'node --import tsx /r/tools/local-stack/src/launch.ts store-ingest' }, roots),
    ).toBe('store-ingest');
    expect(partOf({ pid: 12, args: 'node --import tsx /r/tools/local-stack/src/launch.ts' }, roots)).toBe(
      undefined,
    );
    expect(partOf({ pid: 13, args: 'bash' }, roots)).toBe(undefined);
  });

  it('counts every process for its nearest named ancestor, and leaves the rest out', () => {
    const p = (pid: number, ppid: number, ticks: number, args = ''): ProcessInfo => ({
      pid,
      ppid,
      args,
      ticks,
    });
    const processes = [
      p(1, 0, 5),
      p(20, 1, 100), // postgres (root)
      p(21, 20, 30), // a backend
      p(22, 21, 2), // below the backend
      p(30, 1, 50, 'node launch.ts inventory-aggregator'),
      p(31, 1, 7, 'bash'),
    ];
    const totals = ticksByPart(processes, new Map([[20, 'postgres']]));
    expect(Object.fromEntries(totals)).toEqual({ postgres: 132, 'inventory-aggregator': 50 });
  });

  it("counts PostgreSQL's walsender (Debezium's logical decoding) on a line of its own", () => {
    const processes: ProcessInfo[] = [
      {
        pid: 20,
        ppid: 1,
        ticks: 100,
        args: '/usr/lib/postgresql/15/bin/postgres -D /proc/self/fd/3 -p 19432',
      },
      { pid: 21, ppid: 20, ticks: 30, args: 'postgres: inventory inventory 127.0.0.1(47474) idle' },
      {
        pid: 22,
        ppid: 20,
        ticks: 12,
        args: 'postgres: walsender inventory 127.0.0.1(37354) START_REPLICATION',
      },
      { pid: 23, ppid: 20, ticks: 4, args: 'postgres: checkpointer' },
      { pid: 30, ppid: 1, ticks: 9, args: 'postgres: walsender x y' },
    ];
    const totals = ticksByPart(processes, new Map([[20, 'postgres']]));
    expect(Object.fromEntries(totals)).toEqual({ postgres: 134, 'postgres-walsender': 12 });
    expect(roleOf({ args: 'postgres: walsender a b' }, 'kafka')).toBe('kafka');
  });

  it('gives seconds and microseconds per event between two readings, the most expensive first', () => {
    const before = new Map([
      ['kafka', 10],
      ['redis', 1],
    ]);
    const after = new Map([
      ['kafka', 12.5],
      ['redis', 4],
      ['store-ingest', 1],
    ]);
    expect(cpuCost(before, after, 100_000)).toEqual([
      { part: 'redis', cpuSeconds: 3, microsPerEvent: 30 },
      { part: 'kafka', cpuSeconds: 2.5, microsPerEvent: 25 },
      { part: 'store-ingest', cpuSeconds: 1, microsPerEvent: 10 },
    ]);
  });
});
