import { redisAclUser } from '@inventory/read-model';
import { describe, expect, it } from 'vitest';
import { peerScripts } from '../peers/peers.lua.ts';
import { storeScripts } from './apply.lua.ts';

describe("the aggregator's Redis user", () => {
  it('may run every command its scripts call (a script runs with the caller’s permissions)', () => {
    const scripts = [...Object.values(storeScripts), ...Object.values(peerScripts)];
    const called = new Set(
      scripts.flatMap((script) =>
        [...script.matchAll(/(?:redis\.call|flush)\('([A-Z]+)'/g)].map((m) => (m[1] as string).toLowerCase()),
      ),
    );
    expect([...called].sort()).toEqual([
      'del',
      'exists',
      'expireat',
      'get',
      'hdel',
      'hget',
      'hincrby',
      'hkeys',
      'hmget',
      'hset',
      'hsetnx',
      'pexpire',
      'rpush',
      'set',
      'zadd',
      'zrem',
    ]);
    const granted = redisAclUser('inv', 'inventory-aggregator').commands;
    expect([...called].filter((command) => !granted.includes(command))).toEqual([]);
    // The only dynamic call names its command through flush(), which the pattern above reads.
    expect(storeScripts.inventoryApply.match(/redis\.call\([^']/g)).toEqual(['redis.call(c']);
  });
});
