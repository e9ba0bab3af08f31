import { defaultDedupPolicy } from '@inventory/domain';
import { KeyLayout } from '@inventory/read-model';
import { parseRedisTarget, redisOf } from '@inventory/service';
import { testRedis, testRedisUrl, testRedisUrlAs, uniqueName } from '@inventory/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/store/redis-store.ts';

/**
 * The read model's ACL users (read-model acl.ts) on the real Redis, or on every node of the
 * Redis Cluster with INVENTORY_TEST_REDIS=cluster: Redis itself refuses what an app may not do.
 */

/** The first node of the tests' Redis, as host and port. */
function firstNode(): { host: string; port: number } {
  const target = parseRedisTarget(testRedisUrl());
  if (target.kind === 'cluster') return target.nodes[0] as { host: string; port: number };
  const url = new URL(target.url);
  return { host: url.hostname, port: Number(url.port) };
}

/** The error a command fails with (its message), or 'ok' when it succeeds. */
async function outcome(command: Promise<unknown>): Promise<string> {
  try {
    await command;
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const noKeyPermission = 'NOPERM this user has no permissions to access one of the keys used as arguments';
const noCommand = (command: string) => `NOPERM this user has no permissions to run the '${command}' command`;

describe('Redis ACL users', () => {
  const prefix = uniqueName('acl');
  const keys = new KeyLayout(prefix, 12);
  const admin = testRedis();
  const clients: { quit(): Promise<unknown> }[] = [admin];
  const as = async (app: Parameters<typeof testRedisUrlAs>[0], of = prefix) => {
    const client = redisOf(await testRedisUrlAs(app, of));
    clients.push(client);
    return client;
  };
  afterAll(async () => {
    for (const client of clients) await client.quit().catch(() => {});
  });

  it('refuses a client without credentials (NOAUTH) or with a wrong password (WRONGPASS)', async () => {
    // No ready check: its INFO would be refused too, and the client would close at once.
    const anonymous = new Redis({
      ...firstNode(),
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    anonymous.on('error', () => {});
    await anonymous.connect();
    expect(await outcome(anonymous.get(keys.offset(0)))).toBe('NOAUTH Authentication required.');
    expect(await outcome(anonymous.auth('inventory-aggregator', 'not-the-password'))).toBe(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
    anonymous.disconnect();
  });

  it("keeps the query API's user to reading the state and claiming reservation ids", async () => {
    const query = await as('inventory-query-api');
    await admin.hset(keys.sku(0, 'SKU-1'), '#', 'total');
    expect(await query.hgetall(keys.sku(0, 'SKU-1'))).toEqual({ '#': 'total' });
    expect(await query.set(keys.reservationSku('r-1'), 'SKU-1', 'PX', 60_000, 'NX')).toBe('OK');
    expect(await query.get(keys.reservationSku('r-1'))).toBe('SKU-1');
    // The aggregator's state and offsets: not writable, the dedup memory not even readable.
    expect(await outcome(query.set(keys.offset(0), '1'))).toBe(noKeyPermission);
    expect(await outcome(query.hset(keys.sku(0, 'SKU-1'), '#', 'forged'))).toBe(noCommand('hset'));
    expect(await outcome(query.set(keys.reservation(0, 'r-1'), '{}'))).toBe(noKeyPermission);
    expect(await outcome(query.hgetall(keys.seenShards(0)))).toBe(noKeyPermission);
    // Nor another app's keys, nor commands it never sends.
    expect(await outcome(query.set(keys.discontinued(), 'x'))).toBe(noKeyPermission);
    expect(await outcome(query.del(keys.reservationSku('r-1')))).toBe(noCommand('del'));
    expect(await outcome(query.call('FLUSHALL'))).toBe(noCommand('flushall'));
    // Its script (the compare-and-set of reservation-home) on its own keys; none on the aggregator's.
    const set = "return redis.call('SET', KEYS[1], ARGV[1])";
    expect(await query.eval(set, 1, keys.reservationHome('r-1'), 'dc2')).toBe('OK');
    expect(await outcome(query.eval(set, 1, keys.offset(0), '1'))).toBe(noKeyPermission);
    expect(await admin.hget(keys.sku(0, 'SKU-1'), '#')).toBe('total');
  });

  it("keeps the reconciliation's user to the discontinued skus it owns", async () => {
    const reconciliation = await as('stock-reconciliation');
    expect(await reconciliation.hset(keys.discontinued(), 'SKU-9', '2026-12-01T00:00:00.000Z')).toBe(1);
    expect(await reconciliation.hdel(keys.discontinued(), 'SKU-9')).toBe(1);
    expect(await reconciliation.hget(keys.journal(3, 'SKU-1'), 'S-1')).toBeNull();
    expect(await outcome(reconciliation.hset(keys.sku(3, 'SKU-1'), 'S-1', 'forged'))).toBe(noKeyPermission);
    expect(await outcome(reconciliation.hset(keys.journal(3, 'SKU-1'), 'S-1', 'x'))).toBe(noKeyPermission);
    expect(await outcome(reconciliation.hset(keys.reservationSku('r-2'), 'f', 'x'))).toBe(noKeyPermission);
    expect(await outcome(reconciliation.set(keys.reservationSku('r-2'), 'SKU-1'))).toBe(noCommand('set'));
    expect(await outcome(reconciliation.get(keys.offset(3)))).toBe(noKeyPermission);
  });

  it("lets the aggregator's user do its whole step, on its own deployment's keys only", async () => {
    const aggregator = await as('inventory-aggregator');
    const store = new RedisStore(
      aggregator,
      prefix,
      12,
      { policy: defaultDedupPolicy, shards: 4 },
      86_400_000,
    );
    const now = Date.parse('2026-12-01T12:00:00Z');
    const step = {
      partition: 5,
      expected: { events: undefined, commands: undefined },
      next: { events: 3 },
      skus: new Map(),
      assortment: new Map([['S-1', ['SKU-1']]]),
      applied: [{ eventId: 'store:c:1', occurredAt: now }],
      reservations: [],
      outboxEntry: 'batch-1',
      now,
    };
    expect(await store.apply(step, () => 4)).toBe(true);
    expect(await store.progress(5)).toEqual({ events: 3, commands: undefined, clock: 0 });
    expect(await store.pendingOutbox(5)).toEqual(['batch-1']);
    await store.ackOutbox(5, ['batch-1']);
    expect(await store.pendingOutbox(5)).toEqual([]);
    expect(await store.acquireRestoreLease(7, 'token', 10_000)).toBe(true);
    expect(await store.renewRestoreLease(7, 'token', 10_000)).toBe(true);
    // Another deployment's keys (another prefix) and the master data stay out of reach.
    const other = new KeyLayout(uniqueName('acl-other'), 12);
    expect(await outcome(aggregator.set(other.offset(5), '1'))).toBe(noKeyPermission);
    expect(await outcome(aggregator.hset(keys.discontinued(), 'SKU-1', 'x'))).toBe(noKeyPermission);
    expect(await outcome(aggregator.call('KEYS', '*'))).toBe(noCommand('keys'));
  });
});
