import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
}
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (record: {
  key: Buffer;
  value: Buffer;
  headers: Record<string, string>;
}) => RecordEncoder;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => KafkaDecoder;
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
});
