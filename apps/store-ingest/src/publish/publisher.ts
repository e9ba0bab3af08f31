import type { AvroCodec, InventoryEvent } from '@inventory/codec';
import { errorMessage, InventoryError, withTimeout } from '@inventory/core';
import { messageBytes, sendBounded } from '@inventory/kafka';
import type { Message, Producer } from 'kafkajs';

export interface PublisherOptions {
  topic: string;
  /** Bound of one publish, encoding included: past it the caller answers 503. */
  timeoutMs: number;
  /** Events waiting for Kafka (including ones whose caller already got a 503) before new ones are refused. */
  maxPending: number;
  /** Most events one produce request carries; more waiting go in the next one. */
  maxEventsPerSend: number;
  /**
   * Most bytes one produce request carries: coalesced requests of one hot sku would otherwise
   * make a record batch over the broker's limit, refused for good (MESSAGE_TOO_LARGE). A
   * single request larger than this goes out as several produce requests, in its order.
   */
  maxBytesPerSend: number;
  onLatency?: (seconds: number) => void;
  /** Events per produce request, as sent. */
  onSend?: (events: number) => void;
}

interface Waiting {
  messages: Message[];
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes validated events to the canonical topic, keyed by sku, and resolves only when the
 * broker acknowledged all of them (acks=all, idempotent producer). The idempotent producer
 * has one request in flight, so concurrent requests are coalesced: whatever arrives while a
 * produce request is on its way goes out together in the next one, and each caller is
 * answered when the request holding its events is acknowledged. A single-event POST then
 * costs a share of one round trip instead of a round trip of its own. On timeout the send
 * may still complete later; that is safe because the client retries with the same eventIds
 * and the aggregator drops eventIds it already applied.
 */
export class EventPublisher {
  private waiting: Waiting[] = [];
  private waitingEvents = 0;
  private inFlight = 0;
  private sending = false;
  private connected = false;

  constructor(
    private readonly producer: Producer,
    private readonly codec: AvroCodec,
    private readonly options: PublisherOptions,
  ) {
    producer.on(producer.events.CONNECT, () => {
      this.connected = true;
    });
    producer.on(producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async publish(events: InventoryEvent[], headers: Record<string, string>): Promise<void> {
    const pending = this.waitingEvents + this.inFlight;
    if (pending + events.length > this.options.maxPending)
      throw unavailable(`${pending} events are still waiting for Kafka`);
    const started = process.hrtime.bigint();
    const written = (async () => {
      const values = await this.codec.encodeAll(`${this.options.topic}-value`, 'InventoryEvent', events);
      const messages = events.map((event, i) => ({
        key: event.sku,
        value: values[i] as Buffer,
        headers: { ...headers, 'inventory-event-id': event.eventId },
      }));
      const sent = new Promise<void>((resolve, reject) => {
        const bytes = messages.reduce((sum, message) => sum + messageBytes(message), 0);
        this.waiting.push({ messages, bytes, resolve, reject });
        this.waitingEvents += messages.length;
      });
      this.drain();
      await sent;
    })();
    try {
      await withTimeout(written, this.options.timeoutMs, 'writing to Kafka');
      this.options.onLatency?.(Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      // The send goes on in the background; its own failure is not a crash.
      written.catch(() => {});
      throw unavailable(errorMessage(error), error);
    }
  }

  /** Sends what is waiting, one produce request at a time, until nothing waits. */
  private drain(): void {
    if (this.sending) return;
    this.sending = true;
    void (async () => {
      while (this.waiting.length > 0) {
        const { batch, bytes } = this.take();
        try {
          if (!this.connected) await this.producer.connect();
          const { topic, maxBytesPerSend, timeoutMs } = this.options;
          const topicMessages = [{ topic, messages: batch.flatMap((w) => w.messages) }];
          // Sized as they came: only a single request over the bound is sized again, to be split.
          if (bytes <= maxBytesPerSend)
            await this.producer.sendBatch({ acks: -1, timeout: timeoutMs, topicMessages });
          else await sendBounded(this.producer, topicMessages, maxBytesPerSend, timeoutMs);
          for (const w of batch) w.resolve();
        } catch (error) {
          for (const w of batch) w.reject(error);
        } finally {
          this.inFlight = 0;
        }
      }
      this.sending = false;
    })();
  }

  /** The waiting requests, oldest first, up to maxEventsPerSend events and maxBytesPerSend (at least one request). */
  private take(): { batch: Waiting[]; bytes: number } {
    const batch: Waiting[] = [];
    let events = 0;
    let bytes = 0;
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as Waiting;
      const over =
        events + next.messages.length > this.options.maxEventsPerSend ||
        bytes + next.bytes > this.options.maxBytesPerSend;
      if (batch.length > 0 && over) break;
      this.waiting.shift();
      batch.push(next);
      events += next.messages.length;
      bytes += next.bytes;
    }
    this.waitingEvents -= events;
    this.inFlight = events;
    this.options.onSend?.(events);
    return { batch, bytes };
  }
}

function unavailable(reason: string, cause?: unknown): InventoryError {
  return new InventoryError('KAFKA_UNAVAILABLE', `Kafka did not acknowledge the events: ${reason}`, {
    cause,
  });
}
