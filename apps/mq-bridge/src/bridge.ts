import type { AvroCodec } from '@inventory/codec';
import { backoffDelay, delay, errorMessage, type Logger } from '@inventory/core';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { BridgeConfig } from './config.ts';
import { decodeMovement } from './format/movement.ts';
import type { BridgeMetrics } from './metrics.ts';
import type { MovementSource, SourceMessage } from './source/source.ts';

const sendPolicy = { initialMs: 100, maxMs: 5_000, factor: 2, retries: Number.POSITIVE_INFINITY };

/**
 * Moves messages from the MQ source into Kafka in arrival order, in batches: each batch's
 * canonical events, raw payloads and dead letters go out in one Kafka request (acks=all,
 * idempotent producer), and only then are its messages acknowledged on MQ. A crash
 * anywhere before the acknowledgement makes MQ deliver them again; their eventIds are
 * derived from the mainframe transaction ids, so the aggregator drops the repeats. While
 * Kafka refuses writes the batch is retried and nothing is acknowledged, so the prefetch
 * window fills and MQ stops delivering: consumption pauses by itself.
 */
export class Bridge {
  private pending: SourceMessage[] = [];
  private flushing: Promise<void> | undefined;
  private linger: NodeJS.Timeout | undefined;
  private stopping = false;
  kafkaHealthy = true;

  constructor(
    private readonly deps: {
      config: BridgeConfig;
      source: MovementSource;
      producer: Producer;
      codec: AvroCodec;
      metrics: BridgeMetrics;
      logger: Logger;
      now?: () => number;
    },
  ) {}

  async start(): Promise<void> {
    await this.deps.source.start((message) => this.receive(message));
  }

  private receive(message: SourceMessage): void {
    this.deps.metrics.messagesIn.inc();
    this.pending.push(message);
    if (this.pending.length >= this.deps.config.BATCH_SIZE) this.kick();
    else this.linger ??= setTimeout(() => this.kick(), this.deps.config.LINGER_MS);
  }

  /** One batch in flight at a time keeps Kafka's order equal to the queue's. */
  private kick(): void {
    clearTimeout(this.linger);
    this.linger = undefined;
    if (this.flushing || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.deps.config.BATCH_SIZE);
    this.flushing = this.flush(batch)
      .catch((error) =>
        this.deps.logger.error({ err: errorMessage(error) }, 'batch failed; MQ delivers it again'),
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.length > 0) this.kick();
      });
  }

  private async flush(batch: SourceMessage[]): Promise<void> {
    const { codec, config, metrics, producer, source } = this.deps;
    const started = process.hrtime.bigint();
    const now = (this.deps.now ?? Date.now)();
    const events: Message[] = [];
    const raw: Message[] = [];
    const dead: Message[] = [];
    const deadLetters: { message: SourceMessage; reason: string; detail: string }[] = [];
    const decoded = batch.map((message) => decodeMovement(message.payload, message.contentType, now));
    const valid = decoded.flatMap((d) => (d.ok ? [d.event] : []));
    const encoded = await codec.encodeAll(`${config.EVENTS_TOPIC}-value`, 'InventoryEvent', valid);
    let next = 0;
    for (const [i, message] of batch.entries()) {
      const result = decoded[i];
      if (!result) continue;
      const headers = {
        'mq-message-id': message.messageId ?? '',
        'mq-redelivered': String(message.redelivered),
        'content-type': message.contentType ?? '',
        'received-at': new Date(now).toISOString(),
      };
      const key = result.txnId ?? message.messageId ?? null;
      raw.push({ key, value: message.payload, headers });
      if (result.ok) {
        events.push({ key: result.event.sku, value: encoded[next++] as Buffer });
      } else {
        dead.push({
          key,
          value: message.payload,
          headers: {
            ...headers,
            'dlq-reason': result.reason,
            'dlq-message': result.message,
            'dlq-original-queue': config.QUEUE,
          },
        });
        deadLetters.push({ message, reason: result.reason, detail: result.message });
      }
    }
    const topicMessages: TopicMessages[] = [
      { topic: config.EVENTS_TOPIC, messages: events },
      { topic: config.RAW_TOPIC, messages: raw },
      { topic: config.DLQ_TOPIC, messages: dead },
    ].filter((t) => t.messages.length > 0);
    for (let attempt = 0; ; attempt++) {
      try {
        await producer.sendBatch({ acks: -1, topicMessages });
        this.kafkaHealthy = true;
        break;
      } catch (error) {
        this.kafkaHealthy = false;
        metrics.sendFailures.inc();
        // Stopping with Kafka down: leave the batch unacknowledged for the next start.
        if (this.stopping) throw error;
        const wait = backoffDelay(sendPolicy, attempt);
        this.deps.logger.warn(
          { err: errorMessage(error), attempt, waitMs: wait },
          'Kafka refused the batch; retrying',
        );
        await delay(wait);
      }
    }
    // Dead letters on the MQ side too, confirmed before the originals are acknowledged.
    for (const d of deadLetters) await source.deadLetter(d.message, d.reason, d.detail);
    const last = batch.at(-1) as SourceMessage;
    if (!(await source.ackThrough(last))) {
      this.deps.logger.warn(
        { messages: batch.length },
        'connection changed before the acknowledgement; MQ delivers the batch again',
      );
    }
    metrics.eventsOut.inc(events.length);
    for (const d of deadLetters) metrics.deadLetters.inc({ reason: d.reason });
    metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** Stops intake, sends and acknowledges what was taken, then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.deps.source.pause();
    while (this.flushing || this.pending.length > 0) {
      this.kick();
      await this.flushing;
    }
  }
}
