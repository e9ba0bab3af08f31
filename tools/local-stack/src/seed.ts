import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AvroCodec, type Location, validate } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import { createProducer, topicNames } from '@inventory/kafka';
import type { Kafka } from 'kafkajs';
import { deployLocal } from './config.ts';

export const locationsSeedFile = join(deployLocal, 'seed', 'locations.json');

/** Master data of the demo network: stores, warehouses and distribution centres in three regions. */
export function readLocationsSeed(codec: AvroCodec, file = locationsSeedFile): Location[] {
  const locations = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
  const type = codec.schema('Location').type;
  locations.forEach((location, index) => {
    const problems = validate(type, location);
    if (problems.length > 0) {
      const list = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
      throw new InventoryError('SEED_INVALID', `${file} entry ${index}: ${list}`);
    }
  });
  return locations as Location[];
}

/**
 * Publishes the seed to the compacted locations topic, keyed by locationId. Re-running is
 * harmless: compaction keeps the latest record per location.
 */
export async function seedLocations(kafka: Kafka, codec: AvroCodec, locations: Location[]): Promise<number> {
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const subject = `${topicNames.locations}-value`;
    const messages = await Promise.all(
      locations.map(async (location) => ({
        key: location.locationId,
        value: await codec.encode(subject, 'Location', location),
      })),
    );
    await producer.send({ topic: topicNames.locations, acks: -1, messages });
    return messages.length;
  } finally {
    await producer.disconnect();
  }
}
