import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartition, murmur2, murmur2Partitioner } from './partitioner.ts';

// kafkajs' own murmur2 (Long arithmetic), the reference the 32-bit version must equal.
const { default: kafkajsMurmur2 } = (await import(
  // @ts-expect-error kafkajs ships no types for its internal module
  'kafkajs/src/producer/partitioners/default/murmur2.js'
)) as { default: (key: string | Buffer) => number };

const metadata = (partitions: number) =>
  Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: partitionId === 1 ? -1 : 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe('murmur2', () => {
  it("is kafkajs' murmur2 for any string and any bytes", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 40 })),
        (key) => {
          expect(murmur2(key)).toBe(kafkajsMurmur2(key));
        },
      ),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }),
      { numRuns: 5_000 },
    );
  });

  it("gives the Java client's hashes (values from its Utils.murmur2)", () => {
    // org.apache.kafka.common.utils.Utils.murmur2 over the UTF-8 bytes, as in Kafka's UtilsTest.
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2(Buffer.from('abc'))).toBe(479470107);
  });
});

describe('murmur2Partitioner', () => {
  it("places records as kafkajs' default partitioner does", () => {
    const ours = murmur2Partitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        fc.integer({ min: 1, max: 64 }),
        (key, count) => {
          const args = { topic: 't', partitionMetadata: metadata(count), message: { key, value: 'v' } };
          expect(ours(args)).toBe(theirs(args));
          expect(keyPartition(key, count)).toBe(theirs(args));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('keeps an explicit partition and spreads keyless records over partitions with a leader', () => {
    const ours = murmur2Partitioner();
    expect(
      ours({
        topic: 't',
        partitionMetadata: metadata(12),
        message: { key: 'SKU-1', partition: 7, value: 'v' },
      }),
    ).toBe(7);
    const keyless = Array.from({ length: 22 }, () =>
      ours({ topic: 't', partitionMetadata: metadata(12), message: { value: 'v' } }),
    );
    expect(new Set(keyless).size).toBe(11);
    expect(keyless).not.toContain(1);
  });
});
