import { redisCommandTimeoutMs, redisOf } from '@inventory/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRedis } from './redis.ts';

/**
 * The platform's Redis client gives every command a deadline: a Redis that holds its
 * connections and answers nothing (frozen with SIGSTOP) fails the commands and pipelines
 * sent to it, also those sent together (autoPipelining), and once it answers again the
 * client goes on with the right answers.
 */
describe("the platform's Redis client against a Redis that stops answering", () => {
  const server = new PrivateRedis();

  beforeAll(async () => {
    await server.start();
  });

  afterAll(async () => {
    server.thaw();
    await server.stop();
  });

  it('fails a command and a pipeline past the deadline, and answers right once Redis is back', async () => {
    expect(redisCommandTimeoutMs).toBe(10_000);
    const redis = redisOf(server.url, { commandTimeoutMs: 300 });
    try {
      await redis.set('sku:1', 'onHand=7');
      await server.freeze();
      await expect(redis.get('sku:1')).rejects.toThrow('Command timed out');
      const results = await redis.pipeline().get('sku:1').incr('counter').exec();
      expect(results?.map(([error]) => error?.message)).toEqual(['Command timed out', 'Command timed out']);
      server.thaw();
      // The late answers to the timed-out commands are matched to them, not to later ones.
      expect(await redis.get('sku:1')).toBe('onHand=7');
      expect(await redis.incr('counter')).toBe(2);
    } finally {
      server.thaw();
      redis.disconnect();
    }
  });

  it('with autoPipelining: commands sent together fail past the deadline, and answer right after', async () => {
    const redis = redisOf(server.url, { commandTimeoutMs: 300, autoPipelining: true });
    try {
      await redis.set('sku:2', 'onHand=5');
      expect(redis.autoPipelineQueueSize).toBe(0);
      await server.freeze();
      const sent = [redis.get('sku:2'), redis.incr('counter2'), redis.call('HGETALL', 'sku:none')];
      // Queued for one write at the end of this turn, not written one by one.
      expect(redis.autoPipelineQueueSize).toBe(3);
      const settled = await Promise.allSettled(sent);
      expect(settled.map((s) => (s.status === 'rejected' ? (s.reason as Error).message : s.value))).toEqual([
        'Command timed out',
        'Command timed out',
        'Command timed out',
      ]);
      server.thaw();
      const [value, counter, hash] = await Promise.all([
        redis.get('sku:2'),
        redis.incr('counter2'),
        redis.call('HGETALL', 'sku:none'),
      ]);
      expect([value, counter, hash]).toEqual(['onHand=5', 2, []]);
    } finally {
      server.thaw();
      redis.disconnect();
    }
  });
});
