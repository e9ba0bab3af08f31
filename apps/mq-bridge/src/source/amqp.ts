import { backoffDelay, delay, errorMessage, type Logger } from '@inventory/core';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { MovementSource, SourceMessage } from './source.ts';

export interface AmqpSettings {
  url: string;
  queue: string;
  deadLetterQueue: string;
  prefetch: number;
}

const reconnectPolicy = { initialMs: 200, maxMs: 10_000, factor: 2, retries: Number.POSITIVE_INFINITY };

/** RabbitMQ (AMQP 0-9-1): durable queues, manual acknowledgement, publisher confirms for dead letters. */
export class AmqpSource implements MovementSource {
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private consumerTag: string | undefined;
  generation = 0;
  private closing = false;
  private onMessage: (message: SourceMessage) => void = () => {};

  constructor(
    private readonly settings: AmqpSettings,
    private readonly logger: Logger,
  ) {}

  get connected(): boolean {
    return this.channel !== undefined;
  }

  async start(onMessage: (message: SourceMessage) => void): Promise<void> {
    this.onMessage = onMessage;
    await this.connect();
  }

  private async connect(): Promise<void> {
    for (let attempt = 0; !this.closing; attempt++) {
      try {
        await this.open();
        return;
      } catch (error) {
        const wait = backoffDelay(reconnectPolicy, attempt);
        this.logger.warn(
          { err: errorMessage(error), attempt, waitMs: wait },
          'MQ connection failed; retrying',
        );
        await delay(wait);
      }
    }
  }

  private async open(): Promise<void> {
    const connection = await amqp.connect(this.settings.url, {
      clientProperties: { connection_name: 'mq-bridge' },
    });
    const generation = ++this.generation;
    connection.on('error', (error) => this.logger.warn({ err: errorMessage(error) }, 'MQ connection error'));
    connection.on('close', () => {
      if (this.generation !== generation) return;
      this.channel = undefined;
      this.connection = undefined;
      if (this.closing) return;
      this.logger.warn('MQ connection lost; reconnecting (unacknowledged messages come again)');
      void this.connect();
    });
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error) => this.logger.warn({ err: errorMessage(error) }, 'MQ channel error'));
    await channel.assertQueue(this.settings.queue, { durable: true });
    await channel.assertQueue(this.settings.deadLetterQueue, { durable: true });
    await channel.prefetch(this.settings.prefetch);
    this.connection = connection;
    this.channel = channel;
    const { consumerTag } = await channel.consume(
      this.settings.queue,
      (message) => {
        if (!message) return;
        this.onMessage({
          payload: message.content,
          contentType: message.properties.contentType as string | undefined,
          messageId: message.properties.messageId as string | undefined,
          redelivered: message.fields.redelivered,
          generation,
          tag: message.fields.deliveryTag,
        });
      },
      { noAck: false },
    );
    this.consumerTag = consumerTag;
    this.logger.info({ queue: this.settings.queue, prefetch: this.settings.prefetch }, 'consuming');
  }

  async ackThrough(last: SourceMessage): Promise<boolean> {
    // A tag of an earlier connection means nothing on this one: those messages come again.
    if (!this.channel || last.generation !== this.generation) return false;
    this.channel.ack({ fields: { deliveryTag: last.tag } } as amqp.Message, true);
    return true;
  }

  async deadLetter(message: SourceMessage, reason: string, detail: string): Promise<void> {
    const channel = this.channel;
    if (!channel) throw new Error('MQ not connected: dead letter not published');
    await new Promise<void>((resolve, reject) => {
      channel.sendToQueue(
        this.settings.deadLetterQueue,
        message.payload,
        {
          persistent: true,
          ...(message.contentType ? { contentType: message.contentType } : {}),
          ...(message.messageId ? { messageId: message.messageId } : {}),
          headers: {
            'x-dead-letter-reason': reason,
            'x-dead-letter-detail': detail,
            'x-original-queue': this.settings.queue,
          },
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  }

  async depth(): Promise<number | undefined> {
    if (!this.channel) return undefined;
    return (await this.channel.checkQueue(this.settings.queue)).messageCount;
  }

  async pause(): Promise<void> {
    if (this.channel && this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => {});
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.connection?.close().catch(() => {});
  }
}
