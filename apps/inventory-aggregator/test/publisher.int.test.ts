import { createCodec, type StockLevel, sampleStockLevel } from '@inventory/codec';
import { InventoryError, isRetriable } from '@inventory/core';
import {
  createProducer,
  readToEnd,
  singleBrokerDurability,
  topicConfig,
  topicNames,
  topicSpec,
} from '@inventory/kafka';
import {
  createConfiguredTopic,
  createTestTopic,
  stackEndpoints,
  testKafka,
  uniqueName,
} from '@inventory/testkit';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isFenced,
  type OutputTopics,
  PartitionPublisher,
  progressHeaders,
} from '../src/partition/publisher.ts';
import type { OutputValues } from '../src/steps/changes.ts';

const kafka = testKafka();
const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
let topics: OutputTopics;
let plain: Producer;

beforeAll(async () => {
  const compact = (what: string) =>
    createConfiguredTopic(what, 2, topicConfig(topicSpec(topicNames.stock), singleBrokerDurability));
  topics = {
    stock: await compact('pub-stock'),
    availability: await compact('pub-availability'),
    reservations: await compact('pub-reservations'),
    outcomes: await createTestTopic('pub-outcomes', 2),
    events: await createTestTopic('pub-events', 2),
  };
  plain = createProducer(kafka);
  await plain.connect();
});

afterAll(async () => {
  await plain.disconnect();
});

function publisherOf(transactionalId: string, publishTimeoutMs: number): PartitionPublisher {
  return new PartitionPublisher(
    {
      kafka,
      transactionalId,
      codec,
      topics,
      plain,
      transactionTimeoutMs: 60_000,
      maxRequestBytes: 512 * 1024,
      publishTimeoutMs,
    },
    0,
  );
}

/** One stock level of one key, its onHand telling the publications apart. */
function stockOf(onHand: number): OutputValues {
  const level: StockLevel = {
    ...sampleStockLevel,
    sku: 'SKU-PUB',
    locationId: 'S-1',
    onHand,
    available: onHand,
  };
  return { stock: [level], availability: [], reservations: [], outcomes: [], sales: [] };
}

/** The committed stock records of the key, in order: onHand and the progress header. */
async function committedStock(): Promise<{ onHand: number; events: string }[]> {
  const records: { onHand: number; events: string }[] = [];
  await readToEnd(
    kafka,
    topics.stock,
    async (message) => {
      const level = await codec.decode(message.value as Buffer, 'StockLevel');
      records.push({ onHand: level.onHand, events: String(message.headers?.[progressHeaders.events]) });
    },
    { groupPrefix: uniqueName('pub-read'), timeoutMs: 30_000 },
  );
  return records;
}

describe('a partition publisher', () => {
  it('takes publications begun together one after the other: all committed, in the order begun', async () => {
    const publisher = publisherOf(uniqueName('pub-lane'), 30_000);
    const before = (await committedStock()).length;
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => publisher.publish(stockOf(n), { events: n, commands: undefined, clock: 0 })),
    );
    await publisher.close();
    expect((await committedStock()).slice(before)).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ onHand: n, events: String(n) })),
    );
  });

  it('gives up a publication past its deadline as retriable; a new owner of the id has the last word', async () => {
    const transactionalId = uniqueName('pub-deadline');
    const slow = publisherOf(transactionalId, 1);
    for (const n of [11, 12]) {
      const failure = await slow.publish(stockOf(n), { events: n, commands: undefined, clock: 0 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(InventoryError);
      expect((failure as InventoryError).code).toBe('TIMEOUT');
      expect(isRetriable(failure)).toBe(true);
    }
    await slow.close();
    // The given-up starts of the producer may still take the id over once each, fencing the
    // new owner's producer: it publishes again with a new one, as the runner does.
    const next = publisherOf(transactionalId, 30_000);
    const failures: unknown[] = [];
    for (;;) {
      const failure = await next.publish(stockOf(13), { events: 13, commands: undefined, clock: 0 }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failure === undefined) break;
      failures.push(failure);
      expect(isFenced(failure), String(failure)).toBe(true);
      expect(failures.length).toBeLessThanOrEqual(2);
      await next.close();
    }
    await next.close();
    // Whatever the abandoned producers still did was committed before the new owner took
    // the id over, or aborted by it.
    const records = await committedStock();
    expect(records.at(-1)).toEqual({ onHand: 13, events: '13' });
  });
});
