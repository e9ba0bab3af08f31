import { describe, expect, it } from 'vitest';
import { consumerConfig } from './client.ts';

describe("the platform's consumer configuration", () => {
  it('reads only committed records, creates no topic and heartbeats at a third of the session', () => {
    expect(consumerConfig({ groupId: 'g', sessionTimeoutMs: 6_000 })).toEqual({
      groupId: 'g',
      sessionTimeout: 6_000,
      heartbeatInterval: 2_000,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
  });

  it('hands kafkajs the rebalance timeout, the fetch bounds and the assigners it is given', () => {
    const assigner = () => ({
      name: 'a',
      version: 1,
      assign: async () => [],
      protocol: () => ({ name: 'a', metadata: Buffer.alloc(0) }),
    });
    expect(
      consumerConfig({
        groupId: 'g',
        rebalanceTimeoutMs: 310_000,
        maxBytesPerPartition: 1_048_576,
        maxWaitTimeMs: 500,
        minBytes: 65_536,
        partitionAssigners: [assigner],
      }),
    ).toEqual({
      groupId: 'g',
      sessionTimeout: 30_000,
      heartbeatInterval: 10_000,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      rebalanceTimeout: 310_000,
      maxBytesPerPartition: 1_048_576,
      maxWaitTimeInMs: 500,
      minBytes: 65_536,
      partitionAssigners: [assigner],
    });
  });

  it('never heartbeats more often than every 500 ms', () => {
    expect(consumerConfig({ groupId: 'g', sessionTimeoutMs: 1_200 }).heartbeatInterval).toBe(500);
  });
});
