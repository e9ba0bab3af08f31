import { waitFor } from '@inventory/core';
import { createKafka } from '@inventory/kafka';
import kafkajs, { type Admin, type Consumer, type EachMessagePayload, type Kafka } from 'kafkajs';
import { uniqueName, uniqueTopic } from './names.ts';
import { stackKafkaOptions } from './stack.ts';

/** A client of the stack's broker, as its administrator or as `principal` (an app's ACLs). */
export function testKafka(clientId = uniqueName('test'), principal?: string, dataCentre?: string): Kafka {
  return createKafka({ clientId, ...stackKafkaOptions(principal, dataCentre) });
}

/** Runs `use` with a connected admin client of the local stack (of `dataCentre`), disconnected after. */
export async function withAdmin<T>(use: (admin: Admin) => Promise<T>, dataCentre?: string): Promise<T> {
  const admin = testKafka(undefined, undefined, dataCentre).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Replaces a topic's dynamic configuration as a whole (kafkajs' alterConfigs does nothing less). */
export function replaceTopicConfig(topic: string, config: Record<string, string>): Promise<void> {
  return withAdmin(async (admin) => {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: kafkajs.ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  });
}

/**
 * A value that fills a record batch of one record (a key of at most 16 bytes) to just under
 * the brokers' and topics' default limit (`message.max.bytes`, 1 048 588 bytes): its topic
 * takes it, and a copy of it with a few headers more (a dead letter) is over the limit.
 */
export function valueNearRecordLimit(): Buffer {
  return Buffer.alloc(1_048_480, 'x');
}

export interface Collected {
  messages: EachMessagePayload[];
  consumer: Consumer;
  /** Waits (with a deadline) until `count` messages arrived, then returns them. */
  waitForCount(count: number, timeoutMs?: number): Promise<EachMessagePayload[]>;
  stop(): Promise<void>;
}

/** Subscribes a fresh consumer group from the beginning of `topic` and collects every message. */
export async function collect(
  kafka: Kafka,
  topic: string,
  options: { groupId?: string; readUncommitted?: boolean } = {},
): Promise<Collected> {
  const consumer = kafka.consumer({
    groupId: options.groupId ?? uniqueName('test-group'),
    readUncommitted: options.readUncommitted ?? false,
    maxWaitTimeInMs: 200,
  });
  const messages: EachMessagePayload[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async (payload) => {
      messages.push(payload);
    },
  });
  return {
    messages,
    consumer,
    waitForCount: (count, timeoutMs = 30_000) =>
      waitFor(() => messages.length >= count && messages, {
        description: () => `${count} messages on ${topic} (have ${messages.length})`,
        timeoutMs,
      }),
    stop: () => consumer.disconnect(),
  };
}

/** Creates a fresh topic (unique name, following the naming rule) and returns its name. */
export async function createTestTopic(what: string, partitions: number): Promise<string> {
  const topic = uniqueTopic(what);
  await createNamedTopic(topic, partitions);
  return topic;
}

/**
 * Creates a topic of a name the test chose (e.g. a set of retry topics sharing a prefix) and
 * waits until every partition has a leader. A broker that was just restarted after a kill
 * may still be loading thousands of partitions and answer with retriable errors for a
 * while: the creation is tried again (an earlier try that did create the topic counts).
 */
export async function createNamedTopic(
  topic: string,
  partitions: number,
  config: Record<string, string> = {},
  dataCentre?: string,
): Promise<void> {
  await withAdmin(async (admin) => {
    await waitFor(
      async () => {
        try {
          await admin.createTopics({
            topics: [
              {
                topic,
                numPartitions: partitions,
                replicationFactor: 1,
                configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
              },
            ],
          });
          return true;
        } catch (error) {
          if ((error as { type?: string }).type === 'TOPIC_ALREADY_EXISTS') return true;
          const causes = (error as { errors?: { retriable?: boolean }[] }).errors ?? [error];
          if (causes.every((e) => (e as { retriable?: boolean }).retriable)) return false;
          throw error;
        }
      },
      { description: `topic ${topic} to be created`, timeoutMs: 120_000, intervalMs: 500 },
    );
    await waitFor(
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => ({ topics: [] }));
        const found = topics[0]?.partitions ?? [];
        return found.length === partitions && found.every((p) => p.leader >= 0);
      },
      { description: `every partition of ${topic} to have a leader`, timeoutMs: 120_000, intervalMs: 200 },
    );
  }, dataCentre);
}

/** A fresh topic with the configuration of a catalog topic (topicConfig of its spec). */
export async function createConfiguredTopic(
  what: string,
  partitions: number,
  config: Record<string, string>,
): Promise<string> {
  const topic = uniqueTopic(what);
  await createNamedTopic(topic, partitions, config);
  return topic;
}

/** How many records a topic holds now (sum over partitions of high minus low watermark). */
export function readTopicRecords(topic: string): Promise<number> {
  return withAdmin(async (admin) =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0),
  );
}
