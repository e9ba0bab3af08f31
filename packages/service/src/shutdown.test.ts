import { createLogger } from '@inventory/core';
import { describe, expect, it } from 'vitest';
import { Resources } from './resources.ts';
import { runShutdown } from './shutdown.ts';

const logger = createLogger('shutdown-test', 'silent');

describe('runShutdown', () => {
  it('runs the steps in order, each after the previous one finished', async () => {
    const done: string[] = [];
    const step = (name: string, ms: number) => ({
      name,
      run: () => new Promise<void>((resolve) => setTimeout(() => resolve(void done.push(name)), ms)),
    });
    const result = await runShutdown(
      [step('intake', 30), step('clients', 1), step('http', 10)],
      1_000,
      logger,
    );
    expect(result).toEqual({ ok: true });
    expect(done).toEqual(['intake', 'clients', 'http']);
  });

  it('a failing step is reported, and the next steps still run', async () => {
    const done: string[] = [];
    const result = await runShutdown(
      [
        { name: 'intake', run: async () => Promise.reject(new Error('drain failed')) },
        { name: 'clients', run: async () => void done.push('clients') },
      ],
      1_000,
      logger,
    );
    expect(result).toEqual({ ok: false, step: 'intake', reason: 'failed' });
    expect(done).toEqual(['clients']);
  });

  it('a step still running at the deadline ends the stop, named, within the deadline', async () => {
    const done: string[] = [];
    const started = Date.now();
    const result = await runShutdown(
      [
        { name: 'intake', run: () => new Promise(() => {}) },
        { name: 'clients', run: async () => void done.push('clients') },
      ],
      200,
      logger,
    );
    expect(result).toEqual({ ok: false, step: 'intake', reason: 'deadline' });
    expect(done).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('Resources', () => {
  it('closes newest first, and a failing close does not keep the others open', async () => {
    const closed: string[] = [];
    const resources = new Resources();
    resources.add('redis', 'r', () => void closed.push('redis'));
    resources.add('producer', 'p', async () => {
      closed.push('producer');
      throw new Error('broker gone');
    });
    expect(resources.add('consumer', 42, (c) => void closed.push(`consumer ${c}`))).toBe(42);
    await resources.close(logger);
    expect(closed).toEqual(['consumer 42', 'producer', 'redis']);
    await resources.close(logger);
    expect(closed).toHaveLength(3);
  });
});
