import type { AvroCodec } from '@inventory/codec';
import { InventoryError } from '@inventory/core';
import { topicSetting } from '@inventory/kafka';
import {
  type ClientsOpener,
  codecOf,
  kafkaOf,
  openAdmin,
  openConsumer,
  openProducer,
} from '@inventory/service';
import type { Admin, Consumer, Producer } from 'kafkajs';
import type { LakeConfig } from './config.ts';
import { openLakeStore } from './location.ts';
import type { LakeStore } from './store.ts';

export interface LakeClients {
  consumer: Consumer;
  producer: Producer;
  admin: Admin;
  codec: AvroCodec;
  store: LakeStore;
}

/**
 * Opens the clients and checks the topics: chunks are cut by append time (chunks.ts), and a
 * topic stamped by its producers could put an old time after a newer one and cut two
 * writers' files differently.
 */
export const connectLake: ClientsOpener<LakeConfig, LakeClients> = async (config, context) => {
  const { logger, resources } = context;
  const kafka = kafkaOf(config, logger);
  const admin = await openAdmin(kafka, resources);
  const types = await topicSetting(
    admin,
    [...config.EVENT_TOPICS, ...config.RAW_TOPICS],
    'message.timestamp.type',
  );
  const stamped = [...types].filter(([, type]) => type !== 'LogAppendTime').map(([topic]) => topic);
  if (stamped.length > 0)
    throw new InventoryError(
      'STARTUP_CHECK_FAILED',
      `${stamped.join(', ')}: message.timestamp.type must be LogAppendTime (the lake cuts files by the broker's append time)`,
    );
  const store = resources.add(
    'lake-store',
    openLakeStore(config, logger, { stagingDir: config.STAGING_DIR, partSizeKb: config.S3_PART_SIZE_KB }),
    (s) => s.close(),
  );
  const producer = await openProducer(kafka, resources);
  const consumer = await openConsumer(kafka, context, {
    groupId: config.GROUP_ID,
    sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
    maxBytesPerPartition: 4 * 1024 * 1024,
    minBytes: config.FETCH_MIN_BYTES,
    maxWaitTimeMs: config.FETCH_MAX_WAIT_MS,
  });
  return { consumer, producer, admin, codec: codecOf(config), store };
};
