import {
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { coordinatorPartition, coordinatorStarting, probeIds } from './kafka.ts';

describe("the coordinator partitions of Kafka's internal topics", () => {
  it('places an id as the broker does: Utils.abs(String.hashCode) modulo the partitions', () => {
    // hashCodes: hello 99162322, inventory-aggregator -1420829478, store-ingest -528863024,
    // polygenelubricants Integer.MIN_VALUE (which Utils.abs maps to 0).
    expect(coordinatorPartition('hello')).toBe(4);
    expect(coordinatorPartition('inventory-aggregator')).toBe(0);
    expect(coordinatorPartition('store-ingest')).toBe(2);
    expect(coordinatorPartition('polygenelubricants')).toBe(0);
    expect(coordinatorPartition('a', 50)).toBe(47);
  });

  it('finds one probe id per partition, in partition order', () => {
    const ids = probeIds('inventory-stack-probe');
    expect(ids).toHaveLength(6);
    expect(ids.map((id) => coordinatorPartition(id))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ids.slice(1, 4)).toEqual([
      'inventory-stack-probe-0',
      'inventory-stack-probe-1',
      'inventory-stack-probe-2',
    ]);
  });
});

describe('a broker whose coordinators are still starting', () => {
  // The shape kafkajs gives a broker's error code (its protocol/error.js table).
  const brokerError = (type: string, code: number, retriable: boolean) =>
    new KafkaJSProtocolError({ type, code, retriable, message: type } as unknown as Error);

  it('is asked again when kafkajs found no coordinator or gave up on an error it retries', () => {
    // kafkajs's types omit the message its cluster passes (cluster/index.js).
    const NotFound = KafkaJSGroupCoordinatorNotFound as unknown as new (message: string) => Error;
    expect(coordinatorStarting(new NotFound('Failed to find group coordinator'))).toBe(true);
    const loading = brokerError('COORDINATOR_LOAD_IN_PROGRESS', 14, true);
    expect(
      coordinatorStarting(new KafkaJSNumberOfRetriesExceeded(loading, { retryCount: 5, retryTime: 9_000 })),
    ).toBe(true);
    expect(coordinatorStarting(loading)).toBe(true);
  });

  it('is not asked again for a refusal or anything that is not an error', () => {
    const refused = brokerError('GROUP_AUTHORIZATION_FAILED', 30, false);
    expect(coordinatorStarting(refused)).toBe(false);
    expect(
      coordinatorStarting(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 0, retryTime: 0 })),
    ).toBe(false);
    expect(coordinatorStarting(new Error('Failed to find group coordinator'))).toBe(false);
    expect(coordinatorStarting('GROUP_COORDINATOR_NOT_AVAILABLE')).toBe(false);
  });
});
