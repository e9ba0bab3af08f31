import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patchedText, patches, pendingPatches } from '../../../scripts/patch-dependencies.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);

interface Message {
  key: string;
  value: string;
  partition: number;
}
type Group = (options: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: Message[];
  partitioner: (options: { message: Message }) => number;
}) => Record<string, Message[]>;
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js') as Group;

interface RecordEncoder {
  buffer: Buffer;
}
interface KafkaDecoder {
  offset: number;
  readVarInt(): number;
  readVarLong(): { toString(): string };
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readString(): string | null;
}
interface KafkaEncoder {
  buffer: Buffer;
  writeInt8(value: number): KafkaEncoder;
  writeVarInt(value: number): KafkaEncoder;
  writeUVarInt(value: number): KafkaEncoder;
  writeVarLong(value: number | string): KafkaEncoder;
}
const Encoder = require('kafkajs/src/protocol/encoder.js') as (new (
  initialSize?: number,
) => KafkaEncoder) & { sizeOfVarLong(value: number | string): number };

/** A signed 64-bit varint as Kafka defines it: zigzag, then LEB128 of the 64 bits. */
function varLong(value: bigint): number[] {
  let rest = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

/**
 * What follows a record's attributes, timestamp delta and offset delta in an encoded record
 * (its key, value and headers), from a record kafkajs encoded with both deltas 0.
 */
function recordTail(encoded: Buffer): Buffer {
  const decoder = new Decoder(encoded);
  decoder.readVarInt(); // length
  decoder.readInt8(); // attributes
  decoder.readVarInt(); // timestamp delta 0: one byte
  decoder.readVarInt(); // offset delta 0
  return encoded.subarray(decoder.offset);
}

/** kafkajs 2.2.4's unsigned varint as released: LEB128 of the value's 32 bits. */
function releasedUVarInt(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while ((rest & 0xffffff80) !== 0) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest & 0x7f);
  return bytes;
}
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: {
  key: Buffer;
  value: Buffer;
  headers: Record<string, string>;
}) => RecordEncoder;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => KafkaDecoder;

interface ProduceMessage {
  key?: string;
  value: Buffer;
  headers?: Record<string, string | string[]>;
  timestamp?: string;
  partition?: number;
}
const produceRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as (request: {
  acks: number;
  timeout: number;
  topicData: {
    topic: string;
    partitions: { partition: number; firstSequence: number; messages: ProduceMessage[] }[];
  }[];
}) => { encode(): Promise<{ buffer: Buffer }> };
interface DecodedBatch {
  records: {
    key: Buffer | null;
    value: Buffer;
    headers: Record<string, Buffer | Buffer[]>;
    offset: string;
    timestamp: string;
  }[];
}
const decodeRecordBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: KafkaDecoder,
) => Promise<DecodedBatch>;
const decodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as (
  decoder: KafkaDecoder,
  batch: { firstOffset: string; firstTimestamp: string; magicByte: number },
) => { key: Buffer; value: Buffer; headers: Record<string, Buffer> };

interface Coordinator {
  nodeId: number;
  initProducerId(): Promise<{ producerId: number; producerEpoch: number }>;
  addPartitionsToTxn(): Promise<void>;
  endTxn(): Promise<void>;
}
interface EosManager {
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  addPartitionsToTransaction(
    topicData: { topic: string; partitions: { partition: number }[] }[],
  ): Promise<void>;
  commit(): Promise<void>;
}
const SeekOffsets = require('kafkajs/src/consumer/seekOffsets.js') as new () => {
  set(topic: string, partition: number, offset: string): void;
  has(topic: string, partition: number): boolean;
  pop(topic: string, partition: number): { topic: string; partition: number; offset: string } | undefined;
};
const createEosManager = require('kafkajs/src/producer/eosManager/index.js') as (options: {
  logger: Record<string, () => void>;
  cluster: unknown;
  transactional: boolean;
  transactionalId: string;
}) => EosManager;

describe('patched dependencies (scripts/patch-dependencies.mjs)', () => {
  it('the installed kafkajs carries every patch: applying them again changes nothing', () => {
    expect(patches.flatMap((p) => p.files.map(({ file }) => `${p.name}@${p.version}/${file}`))).toEqual([
      'kafkajs@2.2.4/src/protocol/encoder.js',
      'kafkajs@2.2.4/src/producer/eosManager/index.js',
      'kafkajs@2.2.4/src/protocol/decoder.js',
      'kafkajs@2.2.4/src/protocol/recordBatch/record/v0/decoder.js',
      'kafkajs@2.2.4/src/consumer/seekOffsets.js',
      'kafkajs@2.2.4/src/protocol/requests/produce/v3/request.js',
      'kafkajs@2.2.4/src/producer/groupMessagesPerPartition.js',
    ]);
    expect(pendingPatches(root).map(({ file }) => file)).toEqual([]);
  });

  it('replaces each text once, leaves a patched text as it is, and refuses a text it does not know', () => {
    const replacements: [string, string][] = [['Buffer.alloc(n)', 'Buffer.allocUnsafe(n)']];
    const once = patchedText('a = Buffer.alloc(n)\n', replacements, 'x/y.js');
    expect(once).toBe('a = Buffer.allocUnsafe(n)\n');
    expect(patchedText(once, replacements, 'x/y.js')).toBe(once);
    expect(() => patchedText('a = new Uint8Array(n)\n', replacements, 'x/y.js')).toThrow(
      'x/y.js: the text this patch replaces is not there ("Buffer.alloc(n)")',
    );
  });

  it('knows a pending seek by topic and partition, and answers no seek at once when none is pending', () => {
    const seeks = new SeekOffsets();
    expect(seeks.has('inventory.events.v1', 3)).toBe(false);
    seeks.set('inventory.events.v1', 3, '42');
    expect(seeks.has('inventory.events.v1', 3)).toBe(true);
    expect(seeks.has('inventory.events.v1', 4)).toBe(false);
    expect(seeks.has('inventory.other.v1', 3)).toBe(false);
    expect(seeks.pop('inventory.events.v1', 4)).toBeUndefined();
    expect(seeks.pop('inventory.events.v1', 3)).toEqual({
      topic: 'inventory.events.v1',
      partition: 3,
      offset: '42',
    });
    expect(seeks.has('inventory.events.v1', 3)).toBe(false);
    expect(seeks.pop('inventory.events.v1', 3)).toBeUndefined();
  });

  it("groups a send's messages by partition as kafkajs did: every message once, in order within its partition", () => {
    const messages: Message[] = Array.from({ length: 2_000 }, (_, i) => ({
      key: `sku-${i}`,
      value: String(i),
      // Most to one partition (an aggregator publication), some spread over others.
      partition: i % 7 === 0 ? i % 3 : 5,
    }));
    const groups = groupMessagesPerPartition({
      topic: 'inventory.stock.v1',
      partitionMetadata: Array.from({ length: 12 }, (_, partitionId) => ({ partitionId })),
      messages,
      partitioner: ({ message }) => message.partition,
    });
    expect(Object.keys(groups).sort()).toEqual(['0', '1', '2', '5']);
    for (const [partition, grouped] of Object.entries(groups))
      expect(grouped).toEqual(messages.filter((m) => m.partition === Number(partition)));
    expect(
      groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 }),
    ).toEqual({});
  });

  it('a transactional producer finds its coordinator once, and again only after a request to it failed', async () => {
    // The cluster as the eosManager sees it: the coordinator lookups are what is counted (the
    // transactions themselves run against the broker in kafka-compat.int.test.ts and the
    // aggregator's tests).
    let failNext = false;
    const coordinator: Coordinator = {
      nodeId: 1,
      initProducerId: async () => ({ producerId: 7, producerEpoch: 0 }),
      addPartitionsToTxn: async () => {
        if (!failNext) return;
        failNext = false;
        throw Object.assign(new Error('This is not the correct coordinator'), { type: 'NOT_COORDINATOR' });
      },
      endTxn: async () => {},
    };
    const lookups = { findGroupCoordinator: 0, findBroker: 0 };
    const cluster = {
      refreshMetadataIfNecessary: async () => {},
      findGroupCoordinator: async () => {
        lookups.findGroupCoordinator++;
        return coordinator;
      },
      findBroker: async ({ nodeId }: { nodeId: number }) => {
        lookups.findBroker++;
        expect(nodeId).toBe(1);
        return coordinator;
      },
    };
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const eos = createEosManager({ logger: quiet, cluster, transactional: true, transactionalId: 'agg-0' });
    const transaction = async () => {
      eos.beginTransaction();
      await eos.addPartitionsToTransaction([{ topic: 'inventory.stock.v1', partitions: [{ partition: 0 }] }]);
      await eos.commit();
    };
    await eos.initProducerId();
    await transaction();
    await transaction();
    // kafkajs as released: 5 lookups (InitProducerId, and AddPartitionsToTxn and EndTxn twice).
    expect(lookups).toEqual({ findGroupCoordinator: 1, findBroker: 4 });
    failNext = true;
    eos.beginTransaction();
    const partitions = [{ topic: 'inventory.stock.v1', partitions: [{ partition: 1 }] }];
    await expect(eos.addPartitionsToTransaction(partitions)).rejects.toThrow(
      'This is not the correct coordinator',
    );
    // The same request again, and the commit: the coordinator is looked up anew, once.
    await eos.addPartitionsToTransaction(partitions);
    await eos.commit();
    expect(lookups).toEqual({ findGroupCoordinator: 2, findBroker: 6 });
  });

  it('encodes a record with headers into exactly its bytes, which decode back to it', () => {
    // Dirty the shared pool first: bytes an encoder did not write must never reach its buffer.
    for (let i = 0; i < 64; i++) Buffer.allocUnsafe(512).fill(0xff);
    for (const size of [0, 10, 600, 5_000]) {
      const value = Buffer.from('v'.repeat(size));
      const headers = { 'inventory-progress-events': '1234567', 'inventory-progress-clock': '42' };
      const { buffer } = Record({ key: Buffer.from('sku-1'), value, headers });
      const decoder = new Decoder(buffer);
      const length = decoder.readVarInt();
      expect(decoder.offset + length).toBe(buffer.length);
      const record = decodeRecord(decoder, { firstOffset: '0', firstTimestamp: '0', magicByte: 2 });
      expect(record.key.toString()).toBe('sku-1');
      expect(record.value.equals(value)).toBe(true);
      expect(Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, v.toString()]))).toEqual(
        headers,
      );
      expect(decoder.offset).toBe(buffer.length);
    }
  });

  it('writes varints in place as the bytes kafkajs released, after what the encoder holds, and they decode back', () => {
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
    fc.assert(
      fc.property(
        fc.array(int32, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        (values, size) => {
          // A small encoder grows while writing: a varint at the end of its buffer must not be cut.
          const encoder = new Encoder(size);
          encoder.writeInt8(7);
          const expected: number[] = [7];
          for (const value of values) {
            encoder.writeVarInt(value);
            expected.push(...releasedUVarInt((value << 1) ^ (value >> 31)));
            encoder.writeUVarInt(value >>> 0);
            expected.push(...releasedUVarInt(value >>> 0));
          }
          expect([...encoder.buffer]).toEqual(expected);
          const decoder = new Decoder(encoder.buffer);
          expect(decoder.readInt8()).toBe(7);
          for (const value of values) {
            expect(decoder.readVarInt()).toBe(value);
            decoder.readVarInt();
          }
          expect(decoder.offset).toBe(encoder.buffer.length);
        },
      ),
      { numRuns: 300 },
    );
    for (const [value, bytes] of [
      [0, [0]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [300, [0xac, 0x02]],
      [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ] as const)
      expect([...new Encoder().writeUVarInt(value).buffer]).toEqual(bytes);
  });

  it('writes and sizes varlongs as Kafka defines them, numbers near zero and far from it alike', () => {
    const check = (value: number) => {
      const bytes = varLong(BigInt(value));
      expect([...new Encoder(1).writeVarLong(value).buffer]).toEqual(bytes);
      expect(Encoder.sizeOfVarLong(value)).toBe(bytes.length);
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => n * 2 ** 21),
        ),
        check,
      ),
      { numRuns: 2_000 },
    );
    for (const edge of [0, -1, 1, 2 ** 30 - 1, -(2 ** 30), 2 ** 30, -(2 ** 30) - 1, Date.now(), -Date.now()])
      check(edge);
    // A timestamp as text (kafkajs accepts it) still goes the Long way.
    expect([...new Encoder().writeVarLong('1796518368158').buffer]).toEqual(varLong(1796518368158n));
  });

  it('reads varlongs as Kafka defines them, short and long alike, and stops after their bytes', () => {
    const check = (value: bigint) => {
      const bytes = varLong(value);
      const decoder = new Decoder(Buffer.from([...bytes, 0x2a]));
      expect(decoder.readVarLong().toString()).toBe(String(value));
      expect(decoder.offset).toBe(bytes.length);
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.bigInt({ min: -(2n ** 28n), max: 2n ** 28n }),
          fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        ),
        check,
      ),
      { numRuns: 3_000 },
    );
    for (const edge of [
      0n,
      -1n,
      1n,
      2n ** 27n - 1n,
      -(2n ** 27n),
      2n ** 27n,
      -(2n ** 27n) - 1n,
      2n ** 63n - 1n,
      -(2n ** 63n),
    ])
      check(edge);
  });

  it("decodes a record's offset and timestamp from its batch's and its deltas, exactly, near 2^53 and beyond", () => {
    const { buffer } = Record({ key: Buffer.from('k'), value: Buffer.from('v'), headers: {} });
    // The record's deltas are 0 here: the batch's first values decide, as text.
    const decoded = (
      firstOffset: string,
      firstTimestamp: string,
      deltas: { offset: number; timestamp: number },
    ) => {
      const encoder = new Encoder();
      encoder.writeInt8(0).writeVarLong(deltas.timestamp).writeVarInt(deltas.offset);
      const record = Buffer.concat([encoder.buffer, recordTail(buffer)]);
      const { offset, timestamp } = decodeRecord(new Decoder(record), {
        firstOffset,
        firstTimestamp,
        magicByte: 2,
      }) as unknown as { offset: string; timestamp: string };
      return { offset, timestamp };
    };
    const sum = (first: string, delta: number) => String(BigInt(first) + BigInt(delta));
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 63n - 2n ** 31n }),
        fc.bigInt({ min: -1n, max: 2n ** 62n }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: -(2 ** 30), max: 2 ** 30 - 1 }),
        (first, time, offset, timestamp) => {
          expect(decoded(String(first), String(time), { offset, timestamp })).toEqual({
            offset: sum(String(first), offset),
            timestamp: sum(String(time), timestamp),
          });
        },
      ),
      { numRuns: 2_000 },
    );
    for (const first of ['9007199254740991', '9007199254740992', '9007199254740993', '9223372036854775000'])
      expect(decoded(first, '1796518368158', { offset: 7, timestamp: -3 })).toEqual({
        offset: sum(first, 7),
        timestamp: '1796518368155',
      });
    expect(decoded('9007199254740993', '0', { offset: 0, timestamp: 0 }).offset).toBe('9007199254740993');
  });

  it("gathers a record's headers: a repeated key as its values in order, names of Object's own members as headers", () => {
    const encoder = new Encoder();
    encoder.writeInt8(0).writeVarLong(0).writeVarInt(0);
    encoder.writeVarInt(1).writeInt8('k'.charCodeAt(0)).writeVarInt(1).writeInt8('v'.charCodeAt(0));
    const headers: [string, string][] = [
      ['trace', 'a'],
      ['source', 'store'],
      ['trace', 'b'],
      ['toString', 'x'],
      ['__proto__', 'p'],
      ['trace', 'c'],
      ['constructor', 'y'],
    ];
    encoder.writeVarInt(headers.length);
    for (const [key, value] of headers) {
      encoder.writeVarInt(Buffer.byteLength(key));
      for (const byte of Buffer.from(key)) encoder.writeInt8(byte);
      encoder.writeVarInt(Buffer.byteLength(value));
      for (const byte of Buffer.from(value)) encoder.writeInt8(byte);
    }
    const record = decodeRecord(new Decoder(encoder.buffer), {
      firstOffset: '0',
      firstTimestamp: '0',
      magicByte: 2,
    });
    const text = (v: Buffer | Buffer[]) => (Array.isArray(v) ? v.map(String) : String(v));
    const entries = Object.entries(record.headers as Record<string, Buffer | Buffer[]>);
    expect(entries.map(([k, v]) => [k, text(v)])).toEqual([
      ['trace', ['a', 'b', 'c']],
      ['source', 'store'],
      ['toString', 'x'],
      ['__proto__', 'p'],
      ['constructor', 'y'],
    ]);
    expect(Object.getPrototypeOf(record.headers)).toBe(Object.prototype);
  });

  it('a produce request carries each message as its record: key, value, headers, offset and timestamp', async () => {
    const messages: ProduceMessage[] = [
      {
        key: 'STORE-1|SKU-1',
        value: Buffer.from('a'),
        headers: { 'inventory-clock': '42' },
        timestamp: '1796518368158',
      },
      // What a record does not encode (here a partition) stays out of it.
      { key: 'STORE-2|SKU-1', value: Buffer.from('bb'), timestamp: '1796518368160', partition: 3 },
      { value: Buffer.from('ccc'), headers: { many: ['x', 'y'] }, timestamp: '1796518368159' },
    ];
    const { buffer } = await produceRequest({
      acks: -1,
      timeout: 30_000,
      topicData: [
        { topic: 'inventory.stock.v1', partitions: [{ partition: 0, firstSequence: 0, messages }] },
      ],
    }).encode();
    const decoder = new Decoder(buffer);
    expect([decoder.readString(), decoder.readInt16(), decoder.readInt32()]).toEqual([null, -1, 30_000]);
    expect([decoder.readInt32(), decoder.readString(), decoder.readInt32(), decoder.readInt32()]).toEqual([
      1,
      'inventory.stock.v1',
      1,
      0,
    ]);
    const size = decoder.readInt32();
    expect(decoder.offset + size).toBe(buffer.length);
    const { records } = await decodeRecordBatch(decoder);
    const text = (value: Buffer | Buffer[]) => (Array.isArray(value) ? value.map(String) : String(value));
    expect(
      records.map((r) => ({
        key: r.key === null ? null : String(r.key),
        value: String(r.value),
        headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, text(v)])),
        offset: r.offset,
        timestamp: r.timestamp,
      })),
    ).toEqual([
      {
        key: 'STORE-1|SKU-1',
        value: 'a',
        headers: { 'inventory-clock': '42' },
        offset: '0',
        timestamp: '1796518368158',
      },
      { key: 'STORE-2|SKU-1', value: 'bb', headers: {}, offset: '1', timestamp: '1796518368160' },
      { key: null, value: 'ccc', headers: { many: ['x', 'y'] }, offset: '2', timestamp: '1796518368159' },
    ]);
  });
});
