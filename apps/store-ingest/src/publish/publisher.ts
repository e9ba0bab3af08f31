import type { AvroCodec, InventoryEvent } from '@inventory/codec';
import { errorMessage, InventoryError, withTimeout } from '@inventory/core';
import type { Producer } from 'kafkajs';

export interface PublisherOptions {
  topic: string;
  /** Bound of one publish, encoding included: past it the caller answers 503. */
  timeoutMs: number;
  /** Sends still running (including ones whose caller already got a 503) before new ones are refused. */
  maxPending: number;
  onLatency?: (seconds: number) => void;
}

/**
 * Writes validated events to the canonical topic, keyed by sku, and resolves only when the
 * broker acknowledged all of them (acks=all, idempotent producer). On timeout the send may
 * still complete later; that is safe because the client retries with the same eventIds and
 * the aggregator drops eventIds it already applied.
 */
export class EventPublisher {
  private pending = 0;
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
    if (this.pending >= this.options.maxPending) {
      throw unavailable(`${this.pending} writes are still waiting for Kafka`);
    }
    this.pending++;
    const started = process.hrtime.bigint();
    const send = this.send(events, headers).finally(() => {
      this.pending--;
    });
    try {
      await withTimeout(send, this.options.timeoutMs, 'writing to Kafka');
      this.options.onLatency?.(Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      // The background send is still tracked in `pending`; its own failure is not a crash.
      send.catch(() => {});
      throw unavailable(errorMessage(error), error);
    }
  }

  private async send(events: InventoryEvent[], headers: Record<string, string>): Promise<void> {
    if (!this.connected) await this.producer.connect();
    const subject = `${this.options.topic}-value`;
    const messages = await Promise.all(
      events.map(async (event) => ({
        key: event.sku,
        value: await this.codec.encode(subject, 'InventoryEvent', event),
        headers: { ...headers, 'inventory-event-id': event.eventId },
      })),
    );
    await this.producer.send({
      topic: this.options.topic,
      acks: -1,
      timeout: this.options.timeoutMs,
      messages,
    });
  }
}

function unavailable(reason: string, cause?: unknown): InventoryError {
  return new InventoryError('KAFKA_UNAVAILABLE', `Kafka did not acknowledge the events: ${reason}`, {
    cause,
  });
}
