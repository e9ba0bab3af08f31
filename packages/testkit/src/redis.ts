import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, waitFor } from '@inventory/core';
import { aclRules, type RedisAppUser, redisAclUser, scanKeys } from '@inventory/read-model';
import { parseRedisTarget, redisOf } from '@inventory/service';
import { type Cluster, Redis } from 'ioredis';
import { freezeProcess } from './control.ts';
import { takePort } from './process.ts';
import { stackEndpoints, stackHome } from './stack.ts';

/**
 * A Redis server of a test's own (the real redis-server, AOF on with fsync every second, as
 * the stack runs it), for faults that must not touch the shared one: wiped, killed, or
 * brought back with the last writes lost.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'inventory-redis-'));
  port = 0;

  /**
   * `appendfsync`: `always` when a test needs a copy of the AOF to hold every write already
   * answered (with `everysec` a busy disk lets Redis answer before it writes the AOF).
   */
  constructor(private readonly options: { appendfsync?: 'everysec' | 'always' } = {}) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 3 });
    // The server is killed on purpose: its connection errors reach the commands that fail.
    client.on('error', () => {});
    return client;
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = takePort();
    mkdirSync(join(this.dir, 'data'), { recursive: true });
    const conf = join(this.dir, 'redis.conf');
    writeFileSync(
      conf,
      [
        `port ${this.port}`,
        'bind 127.0.0.1',
        `dir ${join(this.dir, 'data')}`,
        'appendonly yes',
        `appendfsync ${this.options.appendfsync ?? 'everysec'}`,
        // No rewrite while a test copies the AOF: the copy must be one consistent prefix.
        'auto-aof-rewrite-percentage 0',
        'save ""',
        'hash-max-listpack-entries 512',
        '',
      ].join('\n'),
    );
    this.child = spawn('redis-server', [conf], { stdio: 'ignore' });
    const probe = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    await waitFor(
      async () => {
        await probe.connect().catch(() => {});
        return (await probe.ping().catch(() => undefined)) === 'PONG';
      },
      { description: `the private Redis on ${this.port}`, timeoutMs: 20_000, intervalMs: 50 },
    );
    probe.disconnect();
  }

  /** A copy of the AOF as it is on disk now: what a crash a little later would lose everything after. */
  snapshotAof(): string {
    const copy = join(this.dir, `aof-${Date.now()}`);
    cpSync(join(this.dir, 'data', 'appendonlydir'), copy, { recursive: true });
    return copy;
  }

  /** kill -9: nothing flushed, nothing saved. */
  async kill(): Promise<void> {
    const child = this.child;
    // Killed by a signal, a process has no exit code: its signal code says it is gone.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGSTOP (`freezeProcess`): the server holds its connections and answers nothing until thawed. */
  async freeze(): Promise<void> {
    if (this.child?.pid !== undefined) await freezeProcess(this.child.pid);
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** Restarts from the AOF copy `snapshot`: the writes after it are lost. */
  async restartFrom(snapshot: string): Promise<void> {
    await this.kill();
    rmSync(join(this.dir, 'data', 'appendonlydir'), { recursive: true, force: true });
    cpSync(snapshot, join(this.dir, 'data', 'appendonlydir'), { recursive: true });
    await this.start();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The Redis the tests fold into and read: the stack's single Redis, or its Redis Cluster when
 * INVENTORY_TEST_REDIS=cluster (the same tests, run against both by `npm test`). A benchmark
 * names the one it wants.
 */
export function testRedisUrl(mode = process.env.INVENTORY_TEST_REDIS ?? 'single'): string {
  const endpoints = stackEndpoints();
  if (mode === 'single') return endpoints.REDIS_URL;
  if (mode !== 'cluster')
    throw new InventoryError('CONFIG_INVALID', `INVENTORY_TEST_REDIS is single or cluster, not ${mode}`);
  if (!endpoints.REDIS_CLUSTER_URL)
    throw new InventoryError(
      'STACK_NOT_RUNNING',
      'the Redis Cluster runs only in the stack started with it: INVENTORY_STACK_REDIS_CLUSTER=true npm run stack -- up',
    );
  return endpoints.REDIS_CLUSTER_URL;
}

/** A client of the tests' Redis (testRedisUrl) as its administrator: one server or a cluster. */
export function testRedis(): Redis | Cluster {
  return redisOf(testRedisUrl());
}

/** `url` with `user` and `password` as its credentials instead of its own. */
export function redisUrlWithCredentials(url: string, user: string, password: string): string {
  const target = parseRedisTarget(url);
  const scheme = url.slice(0, url.indexOf('://'));
  const hosts =
    target.kind === 'cluster'
      ? target.nodes.map(({ host, port }) => `${host}:${port}`).join(',')
      : new URL(url).host;
  return `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${hosts}`;
}

/** Runs `use` on every node of a Redis: a cluster's users are each node's own. */
async function onEveryNode(url: string, use: (node: Redis) => Promise<unknown>): Promise<void> {
  const redis = redisOf(url, { lazyConnect: true });
  try {
    await redis.connect();
    const nodes = redis.isCluster ? (redis as Cluster).nodes('all') : [redis as Redis];
    for (const node of nodes) await use(node);
  } finally {
    redis.disconnect();
  }
}

const testUsers = new Map<string, string>();

/**
 * The tests' Redis (testRedisUrl) as `app`'s ACL user for a deployment whose keys start with
 * `prefix` (read-model acl.ts, rendered for that prefix): the user `<app>.<prefix>` is created
 * with a password of its own (on every node of a cluster, replicas too), once per process. An
 * app given this URL can do exactly what it can in production, on the test's keys only.
 */
export async function testRedisUrlAs(
  app: RedisAppUser,
  prefix: string,
  dataCentre?: string,
): Promise<string> {
  const user = `${app}.${prefix}`;
  // Another data centre of the stack has a Redis of its own (a single one).
  const base =
    dataCentre === undefined || dataCentre === 'dc1' ? testRedisUrl() : stackEndpoints(dataCentre).REDIS_URL;
  const known = `${base} ${user}`;
  let password = testUsers.get(known);
  if (password === undefined) {
    const fresh = randomBytes(18).toString('base64url');
    const rules = aclRules(redisAclUser(prefix, app), {
      sha256: createHash('sha256').update(fresh).digest('hex'),
    });
    await onEveryNode(base, (node) => node.call('ACL', 'SETUSER', user, ...rules));
    testUsers.set(known, fresh);
    // For the scan of the run's logs (`npm run stack -- scan-logs`): no generated secret may be logged.
    appendFileSync(join(stackHome(), 'test-secrets'), `redis:${user}=${fresh}\n`, { mode: 0o600 });
    password = fresh;
  }
  return redisUrlWithCredentials(base, user, password);
}

/**
 * Removes the ACL users testRedisUrlAs made for `prefix` (`<app>.<prefix>`) from every node of
 * the Redis at `url`; returns how many there were. A benchmark's world would otherwise leave
 * them in the dev stack's Redis, a few a run.
 */
export async function forgetTestUsers(prefix: string, url = testRedisUrl()): Promise<number> {
  let removed = 0;
  await onEveryNode(url, async (node) => {
    const users = ((await node.call('ACL', 'USERS')) as string[]).filter((user) =>
      user.endsWith(`.${prefix}`),
    );
    if (users.length > 0) await node.call('ACL', 'DELUSER', ...users);
    removed = Math.max(removed, users.length);
  });
  for (const known of testUsers.keys())
    if (known.startsWith(`${url} `) && known.endsWith(`.${prefix}`)) testUsers.delete(known);
  return removed;
}

/** Every key matching `pattern`, from every primary of a cluster (SCAN; KEYS sees one node). */
export async function keysMatching(redis: Redis | Cluster, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for await (const key of scanKeys(redis, pattern)) found.push(key);
  return found;
}
