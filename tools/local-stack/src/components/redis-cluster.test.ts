import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logsOf, type StackContext } from '../component.ts';
import { parseStackSettings } from '../config.ts';
import { redis } from './redis.ts';
import { redisCluster } from './redis-cluster.ts';

describe("the local Redis Cluster's logs", () => {
  const home = mkdtempSync(join(tmpdir(), 'redis-cluster-logs-'));
  const settings = parseStackSettings({
    INVENTORY_STACK_HOME: home,
    INVENTORY_STACK_REDIS_CLUSTER_PORT: '29300',
  });
  const ctx = { settings } as StackContext;

  it("are its six nodes' logs, by port (what a failed start and `stack logs` show); a lone Redis has one", () => {
    expect(logsOf(redisCluster, ctx)).toEqual(
      [29300, 29301, 29302, 29303, 29304, 29305].map((port) =>
        join(settings.dirs.logs, `redis-cluster-${port}.log`),
      ),
    );
    expect(logsOf(redis, ctx)).toEqual([join(settings.dirs.logs, 'redis.log')]);
  });
});
