import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import { readToEnd } from '@inventory/kafka';
import {
  queueDepth as depthOf,
  drainQueue as drain,
  generateMovements,
  type MainframeMovement,
  movementPayload,
  publish as publishTo,
  type QueuePayload,
} from '@inventory/mainframe-tools';
import {
  type AppProcess,
  createTestTopic,
  stackEndpoints,
  stackKafkaEnv,
  startAppProcess,
  testKafka,
  uniqueName,
} from '@inventory/testkit';
import type { KafkaMessage } from 'kafkajs';
import { afterAll } from 'vitest';

/** Queues and topics of one isolated bridge deployment. */
export interface BridgeWorld {
  queue: string;
  deadLetterQueue: string;
  events: string;
  raw: string;
  dlq: string;
  env: NodeJS.ProcessEnv;
}

export async function createBridgeWorld(events?: string): Promise<BridgeWorld> {
  const queue = uniqueName('mq-test');
  const world = {
    queue,
    deadLetterQueue: `${queue}.dlq`,
    events: events ?? (await createTestTopic('mq-events', 6)),
    raw: await createTestTopic('mq-raw', 6),
    dlq: await createTestTopic('mq-dlq', 1),
  };
  const endpoints = stackEndpoints();
  return {
    ...world,
    env: {
      PATH: process.env.PATH,
      ...stackKafkaEnv('MQ'),
      MQ_AMQP_URL: endpoints.AMQP_URL,
      MQ_QUEUE: world.queue,
      MQ_DEAD_LETTER_QUEUE: world.deadLetterQueue,
      MQ_EVENTS_TOPIC: world.events,
      MQ_RAW_TOPIC: world.raw,
      MQ_DLQ_TOPIC: world.dlq,
      MQ_DEPTH_POLL_MS: '500',
      MQ_LOG_LEVEL: 'warn',
    },
  };
}

const appDir = fileURLToPath(new URL('..', import.meta.url));

export type RunningBridge = AppProcess;

/** The real bridge process (src/main.ts). */
export function startBridge(world: BridgeWorld, env: NodeJS.ProcessEnv = {}): RunningBridge {
  return startAppProcess(appDir, { ...world.env, ...env }, 'MQ_HTTP_PORT');
}

/**
 * Starts bridge processes for the file's tests and kills (-9) whichever still run after the
 * last test, whatever the tests left behind.
 */
export function useBridges(): (world: BridgeWorld, env?: NodeJS.ProcessEnv) => RunningBridge {
  const running: RunningBridge[] = [];
  afterAll(() => {
    for (const bridge of running) bridge.child.kill('SIGKILL');
  });
  return (world, env) => {
    const bridge = startBridge(world, env);
    running.push(bridge);
    return bridge;
  };
}

export type TestMovement = MainframeMovement;
export { generateMovements, movementPayload };

/** Publishes to a queue of the local stack's RabbitMQ. */
export const publish = (queue: string, payloads: QueuePayload[]) =>
  publishTo(stackEndpoints().AMQP_URL, queue, payloads);
/** Publishes mainframe movements, each in the format its `json` flag names. */
export const publishMovements = (queue: string, movements: TestMovement[]) =>
  publish(queue, movements.map(movementPayload));
export const queueDepth = (queue: string) => depthOf(stackEndpoints().AMQP_URL, queue);
export const drainQueue = (queue: string) => drain(stackEndpoints().AMQP_URL, queue);

export async function readTopic(topic: string): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  await readToEnd(testKafka(), topic, (m) => void messages.push(m), { groupPrefix: uniqueName('read') });
  return messages;
}

/** Waits until the topic holds `count` records; a timeout names what the bridge printed. */
export async function waitForRecords(
  topic: string,
  count: number,
  options: { timeoutMs?: number; app?: AppProcess } = {},
): Promise<void> {
  const { timeoutMs = 90_000, app } = options;
  const admin = testKafka().admin();
  await admin.connect();
  let have = 0;
  try {
    await waitFor(
      async () => {
        have = (await admin.fetchTopicOffsets(topic)).reduce(
          (sum, p) => sum + Number(p.high) - Number(p.low),
          0,
        );
        return have >= count;
      },
      {
        description: () =>
          `${count} records on ${topic} (have ${have})${app ? `; bridge output: ${app.output().slice(-1500)}` : ''}`,
        timeoutMs,
        intervalMs: 200,
      },
    );
  } finally {
    await admin.disconnect();
  }
}
