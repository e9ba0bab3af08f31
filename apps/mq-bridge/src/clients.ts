import type { AvroCodec } from '@inventory/codec';
import { type ClientsOpener, codecOf, kafkaOf, openProducer } from '@inventory/service';
import type { Producer } from 'kafkajs';
import type { BridgeConfig } from './config.ts';
import { AmqpSource } from './source/amqp.ts';
import type { MovementSource } from './source/source.ts';

export interface BridgeClients {
  producer: Producer;
  codec: AvroCodec;
  source: MovementSource;
}

/** Opens Kafka; the MQ source connects when the bridge starts, and closes before the producer. */
export const connectBridge: ClientsOpener<BridgeConfig, BridgeClients> = async (
  config,
  { logger, resources },
) => {
  const producer = await openProducer(kafkaOf(config, logger), resources);
  const source = resources.add(
    'MQ',
    new AmqpSource(
      {
        url: config.AMQP_URL,
        queue: config.QUEUE,
        deadLetterQueue: config.DEAD_LETTER_QUEUE,
        prefetch: config.PREFETCH,
      },
      logger,
    ),
    (s) => s.close(),
  );
  return { producer, codec: codecOf(config), source };
};
