import { createCodec } from '@inventory/codec';
import { type InventoryEvent, platformEvent } from '@inventory/domain';
import { createProducer } from '@inventory/kafka';
import type { Kafka } from 'kafkajs';
import type { LoadTarget } from './run.ts';
import type { LoadEvent } from './workload.ts';

/**
 * Straight into the canonical topic, as a replay would: Avro in the wire format, keyed by
 * sku (Kafka's default partitioner, like every producer of the platform), acks=all.
 */
export async function kafkaTarget(
  kafka: Kafka,
  topic: string,
  registryUrl: string | undefined,
): Promise<{ target: LoadTarget; close: () => Promise<void> }> {
  const codec = createCodec({ registryUrl });
  const producer = createProducer(kafka);
  await producer.connect();
  const send = async (batch: LoadEvent[]) => {
    const now = Date.now();
    // Straight into Kafka the load generator is its own source, with its own namespace.
    const events: InventoryEvent[] = batch.map((e) =>
      platformEvent('LOADGEN', e.eventId, {
        type: e.type,
        sku: e.sku,
        locationId: e.locationId,
        quantity: e.quantity,
        occurredAt: Date.parse(e.occurredAt),
        recordedAt: now,
      }),
    );
    const values = await codec.encodeAll(`${topic}-value`, 'InventoryEvent', events);
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((e, i) => ({ key: e.sku, value: values[i] as Buffer })),
    });
  };
  return { target: { kind: 'kafka', send }, close: () => producer.disconnect() };
}
