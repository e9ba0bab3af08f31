import amqp from 'amqplib';
import type { QueuePayload } from './movements.ts';

/** Puts persistent messages on a durable queue, each confirmed by the broker. */
export async function publish(url: string, queue: string, payloads: QueuePayload[]): Promise<void> {
  const connection = await amqp.connect(url);
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
export async function queueDepth(url: string, queue: string): Promise<number> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    return (await channel.assertQueue(queue, { durable: true })).messageCount;
  } finally {
    await connection.close();
  }
}

/** Takes every message of a queue (acknowledging them). */
export async function drainQueue(url: string, queue: string): Promise<amqp.GetMessage[]> {
  const connection = await amqp.connect(url);
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
