import type { AvroCodec } from '@inventory/codec';
import { backoffDelay, delay, type ErrorCode, errorMessage, isRetriable, type Logger } from '@inventory/core';
import type { DedupPolicy } from '@inventory/domain';
import { sendBounded } from '@inventory/kafka';
import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { BridgeConfig } from './config.ts';
import { decodeMovement } from './format/movement.ts';
import { oversize } from './format/oversize.ts';
import type { BridgeMetrics } from './metrics.ts';
import type { MovementSource, SourceMessage } from './source/source.ts';

const sendPolicy = { initialMs: 100, maxMs: 5_000, factor: 2, retries: Number.POSITIVE_INFINITY };

interface Plan {
  events: Message[];
  raw: Message[];
  dead: Message[];
  deadLetters: { message: SourceMessage; reason: ErrorCode; detail: string }[];
}

/** What the bridge works with: the queue it drains and the Kafka writes it makes. */
export interface BridgeDeps {
  config: BridgeConfig;
  source: MovementSource;
  producer: Producer;
  codec: AvroCodec;
  metrics: BridgeMetrics;
  logger: Logger;
  dedup: DedupPolicy;
  now?: () => number;
}

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
  private generation = 0;
  kafkaHealthy = true;

  constructor(private readonly deps: BridgeDeps) {}

  async start(): Promise<void> {
    await this.deps.source.start((message) => this.receive(message));
  }

  private receive(message: SourceMessage): void {
    this.deps.metrics.messagesIn.inc();
    // A new connection redelivers what the old one had not acknowledged: the old deliveries
    // still waiting here are dropped, never sent twice alongside their redeliveries.
    if (message.generation > this.generation) {
      this.generation = message.generation;
      this.pending = this.pending.filter((m) => m.generation === message.generation);
    }
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
        this.deps.logger.warn(
          { err: errorMessage(error), messages: batch.length },
          'batch left unacknowledged while stopping; MQ delivers it again',
        ),
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.length > 0) this.kick();
      });
  }

  /**
   * What one batch becomes: per message, a canonical event or a dead letter with its reason
   * (a message that cannot be decoded, mapped or encoded fails alone), and the raw payload
   * of every message. Only a failure of the registry (retriable) fails the whole batch.
   */
  private async plan(batch: SourceMessage[], now: number): Promise<Plan> {
    const { codec, config } = this.deps;
    const plan: Plan = { events: [], raw: [], dead: [], deadLetters: [] };
    const subject = `${config.EVENTS_TOPIC}-value`;
    for (const message of batch) {
      const headers = {
        'mq-message-id': message.messageId ?? '',
        'mq-redelivered': String(message.redelivered),
        'content-type': message.contentType ?? '',
        'received-at': new Date(now).toISOString(),
      };
      const tooLarge = oversize(message.payload, config.MAX_MESSAGE_BYTES, config.DEAD_LETTER_QUEUE);
      if (tooLarge) {
        const key = message.messageId ?? null;
        const reason = 'PAYLOAD_TOO_LARGE';
        const standIn = { ...headers, ...tooLarge.headers };
        plan.raw.push({ key, value: null, headers: standIn });
        plan.dead.push({
          key,
          value: null,
          headers: {
            ...standIn,
            'dlq-reason': reason,
            'dlq-message': tooLarge.detail,
            'dlq-original-queue': config.QUEUE,
          },
        });
        plan.deadLetters.push({ message, reason, detail: tooLarge.detail });
        continue;
      }
      let result = decodeMovement(message.payload, message.contentType, now, this.deps.dedup);
      const key = result.txnId ?? message.messageId ?? null;
      let value: Buffer | undefined;
      if (result.ok) {
        try {
          value = await codec.encode(subject, 'InventoryEvent', result.event);
        } catch (error) {
          if (isRetriable(error)) throw error;
          result = { ok: false, reason: 'ENCODE_FAILED', message: errorMessage(error), txnId: result.txnId };
        }
      }
      plan.raw.push({ key, value: message.payload, headers });
      if (result.ok) {
        plan.events.push({ key: result.event.sku, value: value as Buffer });
        continue;
      }
      plan.dead.push({
        key,
        value: message.payload,
        headers: {
          ...headers,
          'dlq-reason': result.reason,
          'dlq-message': result.message,
          'dlq-original-queue': config.QUEUE,
        },
      });
      plan.deadLetters.push({ message, reason: result.reason, detail: result.message });
    }
    return plan;
  }

  /**
   * Sends a batch and acknowledges it, never one without the other: any failure (Kafka,
   * the registry, the MQ dead-letter queue) is retried with backoff while the batch, and
   * everything behind it, waits unacknowledged. A lost MQ connection ends the attempt: its
   * messages come again on the new one.
   */
  private async flush(batch: SourceMessage[]): Promise<void> {
    const { config, metrics, producer, source } = this.deps;
    const started = process.hrtime.bigint();
    const generation = (batch[0] as SourceMessage).generation;
    for (let attempt = 0; ; attempt++) {
      if (generation !== source.generation) {
        this.deps.logger.warn(
          { messages: batch.length },
          'the MQ connection changed before the batch was acknowledged; MQ delivers it again',
        );
        return;
      }
      if (!source.connected) {
        // Reconnecting: the batch comes again on the new connection; nothing is sent meanwhile.
        if (this.stopping) throw new Error('stopping while MQ is disconnected');
        await delay(backoffDelay(sendPolicy, attempt));
        continue;
      }
      try {
        const plan = await this.plan(batch, (this.deps.now ?? Date.now)());
        const topicMessages: TopicMessages[] = [
          { topic: config.EVENTS_TOPIC, messages: plan.events },
          { topic: config.RAW_TOPIC, messages: plan.raw },
          { topic: config.DLQ_TOPIC, messages: plan.dead },
        ].filter((t) => t.messages.length > 0);
        await sendBounded(producer, topicMessages, config.MAX_REQUEST_BYTES);
        this.kafkaHealthy = true;
        // Dead letters on the MQ side too, confirmed before the originals are acknowledged.
        for (const d of plan.deadLetters) await source.deadLetter(d.message, d.reason, d.detail);
        // False: the connection changed meanwhile; the next round sees it and leaves the batch.
        if (!(await source.ackThrough(batch.at(-1) as SourceMessage))) continue;
        metrics.eventsOut.inc(plan.events.length);
        for (const d of plan.deadLetters) metrics.deadLetters.inc({ reason: d.reason });
        metrics.batchSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        return;
      } catch (error) {
        this.kafkaHealthy = false;
        metrics.sendFailures.inc();
        // Stopping with the sink down: leave the batch unacknowledged for the next start.
        if (this.stopping) throw error;
        const wait = backoffDelay(sendPolicy, attempt);
        this.deps.logger.warn(
          { err: errorMessage(error), attempt, waitMs: wait },
          'the batch could not be sent; it waits unacknowledged and is retried',
        );
        await delay(wait);
      }
    }
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
