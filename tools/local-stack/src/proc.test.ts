import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { isAlive, processesMentioning, readPid, spawnDaemon, stopDaemon } from './proc.ts';

describe('daemon processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-proc-'));

  it('starts a detached process with a pid file and stops it with a signal', async () => {
    const pidFile = join(dir, 'sleeper.pid');
    const pid = spawnDaemon({ command: 'sleep', args: ['300'], logFile: join(dir, 'sleeper.log'), pidFile });
    expect(readPid(pidFile)).toBe(pid);
    expect(isAlive(pid)).toBe(true);
    expect(await stopDaemon(pidFile, 'SIGTERM', 5_000)).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
    expect(readPid(pidFile)).toBeUndefined();
  });

  it('kills a process that ignores the polite signal after the grace time, with its children', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const marker = join(dir, 'stubborn-marker');
    const ready = join(dir, 'stubborn-ready');
    const script = `trap '' TERM; touch ${ready}; sleep 300 & wait # ${marker}`;
    spawnDaemon({ command: 'sh', args: ['-c', script], logFile: join(dir, 'stubborn.log'), pidFile });
    // The trap must be in place before the signal, or the test would not test the escalation.
    await waitFor(() => existsSync(ready), { description: 'the script to ignore SIGTERM', timeoutMs: 5_000 });
    expect(processesMentioning(marker).length).toBe(1);
    expect(await stopDaemon(pidFile, 'SIGTERM', 300)).toBe('killed');
    expect(processesMentioning(marker)).toEqual([]);
  });

  it('reports a stale pid file as not running', async () => {
    const pidFile = join(dir, 'stale.pid');
    writeFileSync(pidFile, '999999999');
    expect(await stopDaemon(pidFile, 'SIGTERM', 100)).toBe('not-running');
  });
});
