import { fileURLToPath } from 'node:url';
import { waitFor } from '@inventory/core';
import { readToEnd } from '@inventory/kafka';
import {
  type AppProcess,
  createTestTopic,
  stackEndpoints,
  startAppProcess,
  testKafka,
  uniqueName,
} from '@inventory/testkit';
import amqp from 'amqplib';
import type { KafkaMessage } from 'kafkajs';
import { formatRecord } from './format/copybook.ts';

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
      MQ_KAFKA_BROKERS: endpoints.KAFKA_BROKERS,
      MQ_AMQP_URL: endpoints.AMQP_URL,
      ...(endpoints.SCHEMA_REGISTRY_URL ? { MQ_SCHEMA_REGISTRY_URL: endpoints.SCHEMA_REGISTRY_URL } : {}),
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

/** A movement as the mainframe sends it: fixed width or JSON. */
export interface TestMovement {
  txnId: string;
  moveCode: string;
  warehouse: string;
  sku: string;
  quantity: number;
  movedAt: number;
  json: boolean;
}

export function movementPayload(m: TestMovement): { content: Buffer; contentType: string } {
  if (m.json) {
    const { json: _json, movedAt, ...rest } = m;
    return {
      content: Buffer.from(JSON.stringify({ ...rest, movedAt: new Date(movedAt).toISOString() })),
      contentType: 'application/json',
    };
  }
  const iso = new Date(m.movedAt).toISOString();
  return {
    content: Buffer.from(
      formatRecord({
        'REC-TYPE': 'MV',
        'MOVE-CODE': m.moveCode,
        WAREHOUSE: m.warehouse,
        SKU: m.sku,
        'QTY-SIGN': m.quantity < 0 ? '-' : '+',
        QUANTITY: String(Math.abs(m.quantity)),
        'MOVE-DATE': iso.slice(0, 10).replaceAll('-', ''),
        'MOVE-TIME': iso.slice(11, 19).replaceAll(':', ''),
        'TXN-ID': m.txnId,
      }),
    ),
    contentType: 'text/plain',
  };
}

/** A reproducible stream of deltas (no counts: their effect would depend on arrival order). */
export function generateMovements(count: number, seed: number, warehouses: string[]): TestMovement[] {
  let x = seed;
  const random = () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
  const codes = ['REC', 'ISS', 'ISS', 'SAL', 'RET', 'TRI', 'ADJ'];
  const t0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
  return Array.from({ length: count }, (_, i) => {
    const moveCode = codes[Math.floor(random() * codes.length)] as string;
    const magnitude = 1 + Math.floor(random() * 50);
    return {
      txnId: `T${seed}-${String(i).padStart(9, '0')}`,
      moveCode,
      warehouse: warehouses[Math.floor(random() * warehouses.length)] as string,
      sku: `SKU-${Math.floor(random() * 200)}`,
      quantity: moveCode === 'ADJ' && random() < 0.5 ? -magnitude : magnitude,
      movedAt: t0 + i * 1000,
      json: random() < 0.3,
    };
  });
}

/** Publishes persistent messages to a durable queue, confirmed by the broker. */
export async function publish(
  queue: string,
  payloads: { content: Buffer; contentType: string }[],
): Promise<void> {
  const connection = await amqp.connect(stackEndpoints().AMQP_URL);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    for (const [i, p] of payloads.entries()) {
      channel.sendToQueue(queue, p.content, {
        persistent: true,
        contentType: p.contentType,
        messageId: `m-${i}`,
      });
      if (i % 1000 === 999) await channel.waitForConfirms();
    }
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Messages waiting in a queue (not counting those delivered and unacknowledged). */
export async function queueDepth(queue: string): Promise<number> {
  const connection = await amqp.connect(stackEndpoints().AMQP_URL);
  try {
    const channel = await connection.createChannel();
    return (await channel.assertQueue(queue, { durable: true })).messageCount;
  } finally {
    await connection.close();
  }
}

/** Takes every message of a queue (acknowledging them). */
export async function drainQueue(queue: string): Promise<amqp.GetMessage[]> {
  const connection = await amqp.connect(stackEndpoints().AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true });
    const messages: amqp.GetMessage[] = [];
    for (let m = await channel.get(queue, { noAck: true }); m; m = await channel.get(queue, { noAck: true }))
      messages.push(m);
    return messages;
  } finally {
    await connection.close();
  }
}

export async function readTopic(topic: string): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  await readToEnd(testKafka(), topic, (m) => void messages.push(m), { groupPrefix: uniqueName('read') });
  return messages;
}

/** Waits until the topic holds `count` records. */
export async function waitForRecords(topic: string, count: number, timeoutMs = 120_000): Promise<void> {
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
      { description: () => `${count} records on ${topic} (have ${have})`, timeoutMs, intervalMs: 200 },
    );
  } finally {
    await admin.disconnect();
  }
}
