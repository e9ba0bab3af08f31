import { describe, expect, it } from 'vitest';
import { parseRedisTarget } from './redis-url.ts';

describe('Redis URLs', () => {
  it('passes a single server on to ioredis as it is', () => {
    expect(parseRedisTarget('redis://:pw@127.0.0.1:19379')).toEqual({
      kind: 'single',
      url: 'redis://:pw@127.0.0.1:19379',
    });
    expect(parseRedisTarget('rediss://u:p@redis:6380/0').kind).toBe('single');
  });

  it('reads a cluster from some of its nodes, with credentials decoded', () => {
    expect(parseRedisTarget('redis-cluster://aggregator:p%40ss@10.0.0.1:6379,10.0.0.2:6380/')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 6379 },
        { host: '10.0.0.2', port: 6380 },
      ],
      username: 'aggregator',
      password: 'p@ss',
      tls: false,
    });
    expect(parseRedisTarget('rediss-cluster://:secret@redis-0.redis:6379')).toEqual({
      kind: 'cluster',
      nodes: [{ host: 'redis-0.redis', port: 6379 }],
      username: undefined,
      password: 'secret',
      tls: true,
    });
  });

  it.each([
    [
      'http://127.0.0.1:6379',
      'a Redis URL starts with redis://, rediss://, redis-cluster:// or rediss-cluster://, not http://',
    ],
    ['redis-cluster://:pw@10.0.0.1', 'a Redis Cluster node is host:port, not "10.0.0.1"'],
    ['redis-cluster://10.0.0.1:99999', 'not "10.0.0.1:99999"'],
  ])('refuses %s, saying what is wrong', (url, message) => {
    expect(() => parseRedisTarget(url)).toThrow(message);
  });
});
