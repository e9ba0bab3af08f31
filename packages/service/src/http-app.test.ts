import { describe, expect, it } from 'vitest';
import { httpApp } from './http-app.ts';
import { capturingLogger } from './log-capture.ts';
import { createRegistry } from './metrics.ts';
import { httpServerDefaults } from './settings.ts';

/** An app whose log lines are collected, at `level`, with one route that answers and one that fails. */
async function appLoggingAt(level: string) {
  const { logger, lines } = capturingLogger(level);
  const app = await httpApp({
    logger,
    registry: createRegistry(),
    checks: {},
    stopping: () => false,
    docs: { title: 'test', description: 'test' },
    settings: httpServerDefaults(),
  });
  app.get('/v1/things/:id', async () => ({ ok: true }));
  app.get('/v1/broken', async () => {
    throw new Error('the store is gone');
  });
  return { app, lines };
}

describe('the request log of every HTTP app', () => {
  it('at info, an answered request writes no line and a failed one writes its error', async () => {
    const { app, lines } = await appLoggingAt('info');
    expect((await app.inject({ method: 'GET', url: '/v1/things/SKU-1?key=secret' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/v1/broken' })).statusCode).toBe(500);
    await app.close();
    const messages = lines.map((l) => l.msg);
    expect(messages).not.toContain('incoming request');
    expect(messages).not.toContain('request completed');
    expect(messages).not.toContain('request answered');
    const errors = lines.filter((l) => l.level === 50);
    expect(errors.map((l) => l.msg)).toEqual(['internal error; it has been logged']);
    expect(errors[0]?.err).toMatchObject({ message: 'the store is gone' });
  });

  it('at debug, each request writes one line with its route pattern, never its URL', async () => {
    const { app, lines } = await appLoggingAt('debug');
    await app.inject({ method: 'GET', url: '/v1/things/SKU-1?key=secret' });
    await app.close();
    const answered = lines.filter((l) => l.msg === 'request answered');
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ method: 'GET', route: '/v1/things/:id', status: 200 });
    expect(typeof answered[0]?.ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(JSON.stringify(lines)).not.toContain('SKU-1');
  });
});
