import { describe, expect, it } from 'vitest';
import { isRedisUnavailable } from './redis-errors.ts';

class MaxRetriesPerRequestError extends Error {}

describe('Redis failures a retry can cure', () => {
  it('knows connection losses, exhausted retries and a cluster failing over', () => {
    for (const message of [
      'Connection is closed.',
      'Too many Cluster redirections. Last error: Error: Connection is closed.',
      'CLUSTERDOWN The cluster is down',
      'TRYAGAIN Multiple keys request during rehashing of slot',
      "READONLY You can't write against a read only replica.",
      'LOADING Redis is loading the dataset in memory',
      'connect ECONNREFUSED 127.0.0.1:19401',
      'Failed to refresh slots cache.',
    ])
      expect(isRedisUnavailable(new Error(message)), message).toBe(true);
    expect(
      isRedisUnavailable(new MaxRetriesPerRequestError('Reached the max retries per request limit')),
    ).toBe(true);
  });

  it('leaves everything else to be an internal error', () => {
    for (const message of [
      'ERR wrong number of arguments',
      'WRONGTYPE Operation against a key holding the wrong kind of value',
      'NOSCRIPT No matching script',
      'Cannot read properties of undefined',
    ])
      expect(isRedisUnavailable(new Error(message)), message).toBe(false);
    expect(isRedisUnavailable('Connection is closed.')).toBe(false);
  });
});
