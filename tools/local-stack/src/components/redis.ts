import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aclRules,
  adminAclRules,
  defaultRedisPrefix,
  type RedisAppUser,
  redisAclUsers,
} from '@inventory/read-model';
import { type Cluster, Redis } from 'ioredis';
import { type Component, dataDir, logFile, pidFile, type StackContext } from '../component.ts';
import { readPid, spawnDaemon, stopDaemon } from '../proc.ts';
import type { FlatSecret } from '../secrets.ts';

/** The administrator's URL (Redis' `default` user): the stack's own checks, tools and tests. */
export function redisUrl(ctx: StackContext): string {
  return `redis://:${encodeURIComponent(ctx.secrets.redisPassword)}@127.0.0.1:${ctx.settings.REDIS_PORT}`;
}

/** Which generated secret is each app user's password. */
const passwordOf: Record<RedisAppUser, FlatSecret> = {
  'inventory-aggregator': 'redisAggregatorPassword',
  'inventory-query-api': 'redisQueryApiPassword',
  'stock-reconciliation': 'redisReconciliationPassword',
};

export const redisUserPassword = (ctx: StackContext, user: RedisAppUser) => ctx.secrets[passwordOf[user]];

/** An app's URL of the single Redis: its own user, which may touch only its keys (read-model acl.ts). */
export function redisUrlAs(ctx: StackContext, user: RedisAppUser): string {
  return `redis://${user}:${encodeURIComponent(redisUserPassword(ctx, user))}@127.0.0.1:${ctx.settings.REDIS_PORT}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Every user of the stack's Redis with its rules (`ACL SETUSER` arguments): the administrator
 * as `default`, and each app's user for the apps' key prefix. Passwords only as their hashes.
 */
export function stackAclUsers(ctx: StackContext): [string, string[]][] {
  return [
    ['default', adminAclRules({ sha256: sha256(ctx.secrets.redisPassword) })],
    ...redisAclUsers(defaultRedisPrefix).map((user): [string, string[]] => [
      user.user,
      aclRules(user, { sha256: sha256(redisUserPassword(ctx, user.user)) }),
    ]),
  ];
}

/**
 * Applies the users to a running server (idempotent: each user's rules begin with `reset`), so
 * a server started before a user was added or changed has it too. Users it does not know (the
 * tests' own, per prefix) are left alone.
 */
export async function provisionAcl(ctx: StackContext, client: Redis | Cluster): Promise<void> {
  for (const [user, rules] of stackAclUsers(ctx)) await client.call('ACL', 'SETUSER', user, ...rules);
}

/**
 * Starts one redis-server `name` on `port` with its data in its own folder: AOF with fsync
 * every second (the aggregator's atomic state+offset writes survive a restart), its users in
 * an aclfile (mode 0600, passwords as hashes) that it loads at every start, so a restarted
 * server knows them before anything provisions it, and `extra` lines (secrets in a config file,
 * out of `ps`).
 */
export function startRedisServer(ctx: StackContext, name: string, port: number, extra: string[] = []): void {
  const dir = dataDir(ctx, name);
  mkdirSync(dir, { recursive: true });
  mkdirSync(ctx.settings.dirs.conf, { recursive: true });
  const conf = join(ctx.settings.dirs.conf, `${name}.conf`);
  const aclFile = join(ctx.settings.dirs.conf, `${name}.acl`);
  writeFileSync(
    aclFile,
    `${stackAclUsers(ctx)
      .map(([user, rules]) => `user ${user} ${rules.join(' ')}`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
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
      `aclfile ${aclFile}`,
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
  /** A server started before an app's user existed (or with other rules) gets the table's. */
  async afterHealthy(ctx) {
    const client = new Redis(redisUrl(ctx), {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await provisionAcl(ctx, client);
    } finally {
      client.disconnect();
    }
  },
  stop: (ctx) => stopDaemon(pidFile(ctx, 'redis'), 'SIGTERM', 15_000),
  pid: (ctx) => readPid(pidFile(ctx, 'redis')),
  endpoint: (ctx) => `redis://127.0.0.1:${ctx.settings.REDIS_PORT}`,
  ports: (ctx) => [{ port: ctx.settings.REDIS_PORT, setting: 'REDIS_PORT' }],
};
