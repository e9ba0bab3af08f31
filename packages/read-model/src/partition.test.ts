import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { partitionOf } from './partition.ts';

describe('partitionOf', () => {
  it('is the partition a Kafka producer with the default (murmur2) partitioner picks for the sku', () => {
    const producerPartitioner = kafkajs.Partitioners.DefaultPartitioner();
    for (const sku of ['SKU-1', 'SKU-1001', 'BENCH-42', 'ä-umlaut', 'x']) {
      const metadata = Array.from({ length: 12 }, (_, partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      expect(partitionOf(sku, 12)).toBe(
        producerPartitioner({ topic: 't', partitionMetadata: metadata, message: { key: sku, value: 'v' } }),
      );
      expect(partitionOf(sku, 12)).toBeGreaterThanOrEqual(0);
    }
    expect(
      new Set(['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5'].map((s) => partitionOf(s, 12))).size,
    ).toBeGreaterThan(1);
  });

  it('keeps each partition count apart when several are asked in turn', () => {
    const producerPartitioner = kafkajs.Partitioners.DefaultPartitioner();
    const expected = (sku: string, count: number) =>
      producerPartitioner({
        topic: 't',
        partitionMetadata: Array.from({ length: count }, (_, partitionId) => ({
          partitionId,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        })),
        message: { key: sku, value: 'v' },
      });
    for (const sku of ['SKU-7', 'SKU-8', 'SKU-9'])
      for (const count of [3, 12, 1, 12, 3]) expect(partitionOf(sku, count)).toBe(expected(sku, count));
    expect(partitionOf('SKU-7', 1)).toBe(0);
  });
});
