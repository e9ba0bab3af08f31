import { collect, stackEndpoints, testKafka, uniqueName, uniqueTopic } from '@inventory/testkit';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCodec } from './create.ts';
import { ConfluentRegistryClient } from './registry.ts';
import { sampleEvent } from './samples.ts';
import { decodeFrame } from './wire.ts';

const registryUrl = (): string => {
  const url = stackEndpoints().SCHEMA_REGISTRY_URL;
  if (!url) throw new Error('the local stack runs a schema registry; SCHEMA_REGISTRY_URL is missing');
  return url;
};

describe('codec through real Kafka and the real schema registry', () => {
  let kafka: Kafka;
  let topic: string;
  let admin: ReturnType<Kafka['admin']>;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    topic = uniqueTopic('codec');
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
    });
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('an InventoryEvent produced with the registry codec is consumed and decoded intact', async () => {
    const producerCodec = createCodec({ registryUrl: registryUrl() });
    const events = Array.from({ length: 20 }, (_, i) => ({
      ...sampleEvent,
      eventId: uniqueName(`evt-${i}`),
      sku: `SKU-${i % 5}`,
      quantity: i + 1,
    }));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: await Promise.all(
        events.map(async (event) => ({
          key: event.sku,
          value: await producerCodec.encode(`${topic}-value`, 'InventoryEvent', event),
        })),
      ),
    });
    await producer.disconnect();

    // A separate codec instance: ids are resolved through the registry, not a shared cache.
    const consumerCodec = createCodec({ registryUrl: registryUrl() });
    const consumer = await collect(kafka, topic);
    const messages = await consumer.waitForCount(20);
    await consumer.stop();
    const decoded = await Promise.all(
      messages.map((m) => consumerCodec.decode(m.message.value as Buffer, 'InventoryEvent')),
    );
    expect([...decoded].sort((a, b) => a.quantity - b.quantity)).toEqual(events);
    // Keyed by sku, as the catalog says for the canonical topic.
    for (const [i, m] of messages.entries()) expect(m.message.key?.toString()).toBe(decoded[i]?.sku);

    // The id in every frame is the one the registry holds for the subject.
    const latest = (await (
      await fetch(`${registryUrl()}/subjects/${topic}-value/versions/latest`)
    ).json()) as { id: number };
    expect(new Set(messages.map((m) => decodeFrame(m.message.value as Buffer).schemaId))).toEqual(
      new Set([latest.id]),
    );
  });

  it('the registry refuses a schema change that is not backward compatible', async () => {
    const client = new ConfluentRegistryClient(registryUrl());
    const subject = `${uniqueTopic('compat')}-value`;
    const v1 = { type: 'record', name: 'Probe', fields: [{ name: 'sku', type: 'string' }] };
    const compatible = { ...v1, fields: [...v1.fields, { name: 'note', type: 'string', default: '' }] };
    const breaking = { ...v1, fields: [...v1.fields, { name: 'required', type: 'long' }] };
    const first = await client.register(subject, JSON.stringify(v1));
    expect(await client.register(subject, JSON.stringify(compatible))).not.toBe(first);
    await expect(client.register(subject, JSON.stringify(breaking))).rejects.toMatchObject({
      code: 'SCHEMA_REFUSED',
      retriable: false,
    });
  });

  it('writers registering a new subject at once all get its one id', async () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'Race',
      fields: [{ name: 'sku', type: 'string' }],
    });
    for (let round = 0; round < 5; round++) {
      const subject = `${uniqueTopic('race')}-value`;
      const ids = await Promise.all(
        Array.from({ length: 8 }, () => new ConfluentRegistryClient(registryUrl()).register(subject, schema)),
      );
      // Apicurio may file the same schema as several versions of the subject under one id;
      // every writer must get that id.
      const latest = (await (await fetch(`${registryUrl()}/subjects/${subject}/versions/latest`)).json()) as {
        id: number;
      };
      expect(ids).toEqual(Array.from({ length: 8 }, () => latest.id));
    }
  });

  it('without a registry, fingerprint ids let separate processes agree', async () => {
    const buffer = await createCodec().encode(`${topic}-value`, 'InventoryEvent', sampleEvent);
    expect(await createCodec().decode(buffer, 'InventoryEvent')).toEqual(sampleEvent);
  });
});
