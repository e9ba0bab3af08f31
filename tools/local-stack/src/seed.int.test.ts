import { createCodec, type Location } from '@inventory/codec';
import { waitFor } from '@inventory/core';
import { topicNames } from '@inventory/kafka';
import { collect, stackEndpoints, testKafka } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';
import { readLocationsSeed, seedLocations } from './seed.ts';

describe('demo master data', () => {
  it('every seeded location is on the compacted topic, keyed by locationId, decodable', async () => {
    const codec = createCodec({ registryUrl: stackEndpoints().SCHEMA_REGISTRY_URL });
    const locations = readLocationsSeed(codec);
    const kafka = testKafka();
    expect(await seedLocations(kafka, codec, locations)).toBe(locations.length);

    const consumer = await collect(kafka, topicNames.locations);
    const byKey = new Map<string, Location>();
    await waitFor(
      async () => {
        for (const m of consumer.messages.splice(0)) {
          byKey.set(
            m.message.key?.toString() ?? '',
            await codec.decode(m.message.value as Buffer, 'Location'),
          );
        }
        return locations.every((l) => byKey.has(l.locationId));
      },
      { description: 'every seeded location on the topic', timeoutMs: 30_000 },
    );
    await consumer.stop();
    for (const location of locations) expect(byKey.get(location.locationId)).toEqual(location);
  });
});
