import { describe, expect, it } from 'vitest';
import { coordinatorPartition, probeIds } from './kafka.ts';

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
