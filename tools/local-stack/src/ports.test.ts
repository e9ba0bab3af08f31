import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { portClashes, portFree, portHolders } from './ports.ts';

describe('the ports of a part', () => {
  it('tells a taken port from a free one, and names the process that holds it', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await portFree(port)).toBe(false);
      expect(portHolders(port)).toEqual([expect.stringMatching(new RegExp(`^pid ${process.pid}: `))]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await portFree(port)).toBe(true);
    expect(portHolders(port)).toEqual([]);
  });

  it('names every port claimed twice with each part that claims it, and nothing when all differ', () => {
    const claim = (stack: string, part: string, port: number, setting: string) => ({
      stack,
      part,
      port,
      setting,
    });
    // DC_PORT_STEP 5: the second data centre's Kafka on the third's Redis.
    const claims = [
      claim('/s', 'redis', 21000, 'REDIS_PORT'),
      claim('/s/dc2', 'kafka', 21010, 'KAFKA_PORT'),
      claim('/s/dc2', 'kafka', 21011, 'KAFKA_CONTROLLER_PORT'),
      claim('/s/dc2', 'redis', 21005, 'REDIS_PORT'),
      claim('/s/dc3', 'redis', 21010, 'REDIS_PORT'),
    ];
    expect(portClashes(claims)).toEqual([
      '21010: kafka of /s/dc2 (KAFKA_PORT), redis of /s/dc3 (REDIS_PORT)',
    ]);
    expect(
      portClashes([claim('/s', 'kafka', 1, 'KAFKA_PORT'), claim('/s', 'kafka', 1, 'KAFKA_CONTROLLER_PORT')]),
    ).toEqual(['1: kafka of /s (KAFKA_PORT), kafka of /s (KAFKA_CONTROLLER_PORT)']);
    expect(portClashes(claims.filter((c) => c.stack !== '/s/dc3'))).toEqual([]);
  });
});
