import { readFileSync } from 'node:fs';
import type { AvroCodec } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import { type ClientsOpener, codecOf, kafkaOf, openConsumer, openProducer } from '@inventory/service';
import type { Consumer, Producer } from 'kafkajs';
import type { NormalizerConfig } from './config.ts';
import type { PlantMapping } from './normalize.ts';

export interface NormalizerClients {
  producer: Producer;
  consumer: Consumer;
  codec: AvroCodec;
  mapping: PlantMapping;
}

/** The plants file: which plant and storage location is which of the platform's locations. */
export function readPlants(file: string): PlantMapping {
  const mapping = JSON.parse(readFileSync(file, 'utf8')) as PlantMapping;
  if (typeof mapping.client !== 'string' || !Array.isArray(mapping.storageLocations))
    throw new InventoryError(
      'CONFIG_INVALID',
      `${file}: expected {"client", "storageLocations": [{werks, lgort, locationId}]}`,
    );
  return mapping;
}

/** Opens the clients; the consumer closes first (its batch produced, then committed). */
export const connectNormalizer: ClientsOpener<NormalizerConfig, NormalizerClients> = async (
  config,
  context,
) => {
  const { logger, resources } = context;
  const mapping = readPlants(config.PLANTS_FILE);
  const kafka = kafkaOf(config, logger);
  const producer = await openProducer(kafka, resources);
  const consumer = await openConsumer(kafka, context, {
    groupId: config.GROUP_ID,
    sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
  });
  return { producer, consumer, codec: codecOf(config), mapping };
};
