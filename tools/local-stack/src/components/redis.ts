import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';

export function redisUrl(ctx: StackContext): string {
  return `redis://:${encodeURIComponent(ctx.secrets.redisPassword)}@127.0.0.1:${ctx.settings.REDIS_PORT}`;
}

/**
 * Starts one redis-server `name` on `port` with its data in its own folder: AOF with fsync
 * every second (the aggregator's atomic state+offset writes survive a restart), the password
 * in a config file (mode 0600) rather than arguments, out of `ps`, and `extra` lines.
 */
export function startRedisServer(ctx: StackContext, name: string, port: number, extra: string[] = []): void {
  const dir = dataDir(ctx, name);
  mkdirSync(dir, { recursive: true });
  mkdirSync(ctx.settings.dirs.conf, { recursive: true });
  const conf = join(ctx.settings.dirs.conf, `${name}.conf`);
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'daemonize no',
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      // The aggregator's dedup memory is many small hashes of ~400 fingerprints each: kept
      // listpack-encoded (about 12 bytes a fingerprint) up to this size.
      'hash-max-listpack-entries 512',
      `requirepass ${ctx.secrets.redisPassword}`,
      ...extra,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  spawnDaemon({
    command: 'redis-server',
    args: [conf],
    logFile: logFile(ctx, name),
    pidFile: pidFile(ctx, name),
  });
}

export const redis: Component = {
  name: 'redis',
  needs: [],
  role: 'read model and aggregator state',
  async start(ctx) {
    startRedisServer(ctx, 'redis', ctx.settings.REDIS_PORT);
  },
  async healthy(ctx) {
    const client = new Redis(redisUrl(ctx), {
      lazyConnect: true,
      connectTimeout: 1_000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  },
  stop: (ctx) => stopDaemon(pidFile(ctx, 'redis'), 'SIGTERM', 15_000),
  pid: (ctx) => readPid(pidFile(ctx, 'redis')),
  endpoint: (ctx) => `redis://127.0.0.1:${ctx.settings.REDIS_PORT}`,
};
