import type { AvroCodec, InventoryEvent, SoldQuantity } from '@inventory/codec';
import { errorMessage, type Logger } from '@inventory/core';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { DeliveryConfig } from '../config.ts';
import { soldQuantityKey } from '../delivery/requests.ts';
import type { DeliveryMetrics } from '../metrics.ts';
import { soldIncrements } from './period.ts';
import type { SoldStore } from './store.ts';

/**
 * Per-period sold quantities from the canonical stream: each batch's sums and the
 * partition's offset go to PostgreSQL in one transaction; a timer closes periods past their
 * grace and publishes them to the sold-quantities topic, from where they are delivered
 * like purchase orders.
 */
export class Summarizer {
  private consumer: Consumer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> = Promise.resolve();
  private joined = false;
  private readonly now: () => number;

  constructor(
    private readonly deps: {
      config: DeliveryConfig;
      kafka: Kafka;
      producer: Producer;
      codec: AvroCodec;
      store: SoldStore;
      supplierOf: (sku: string) => string;
      metrics: DeliveryMetrics;
      logger: Logger;
      now?: () => number;
    },
  ) {
    this.now = deps.now ?? Date.now;
  }

  ready(): boolean {
    return this.joined;
  }

  async start(): Promise<void> {
    const { config, kafka, store } = this.deps;
    await store.migrate();
    const consumer = kafka.consumer({
      groupId: config.SUMMARY_GROUP_ID,
      sessionTimeout: config.SESSION_TIMEOUT_MS,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: config.EVENTS_TOPIC, fromBeginning: true });
    await consumer.run({ eachBatchAutoResolve: false, eachBatch: (payload) => this.batch(payload) });
    this.timer = setInterval(() => {
      this.closing = this.closing.then(() => this.closeDue());
    }, config.CLOSE_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.consumer?.disconnect();
    await this.closing;
  }

  /** Closes and publishes what is due now; also what tests call to not wait for the timer. */
  async closeDue(): Promise<void> {
    const { config, store, producer, codec, metrics } = this.deps;
    try {
      for (;;) {
        const published = await store.closeAndPublish(
          this.now() - config.PERIOD_GRACE_MS,
          async (summaries: SoldQuantity[]) => {
            const values = await codec.encodeAll(
              `${config.SOLD_QUANTITIES_TOPIC}-value`,
              'SoldQuantity',
              summaries,
            );
            await producer.send({
              topic: config.SOLD_QUANTITIES_TOPIC,
              acks: -1,
              messages: summaries.map((s, i) => ({ key: soldQuantityKey(s), value: values[i] as Buffer })),
            });
          },
        );
        metrics.soldPublished.inc(published);
        if (published === 0) return;
      }
    } catch (error) {
      this.deps.logger.warn(
        { err: errorMessage(error) },
        'closing sold-quantity periods failed; next tick retries',
      );
    }
  }

  private async batch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const { codec, config, store, metrics, logger } = this.deps;
    const last = batch.messages.at(-1);
    if (!last) return;
    const decoded: { offset: number; event: InventoryEvent }[] = [];
    for (const message of batch.messages) {
      if (message.value === null) continue;
      try {
        decoded.push({
          offset: Number(message.offset),
          event: await codec.decode(message.value, 'InventoryEvent'),
        });
      } catch (error) {
        // The aggregator dead-letters poison events of this topic; here they are only skipped.
        logger.warn({ offset: message.offset, err: errorMessage(error) }, 'undecodable event skipped');
      }
    }
    const now = this.now();
    const rules = {
      periodMs: config.PERIOD_MS,
      graceMs: config.PERIOD_GRACE_MS,
      supplierOf: this.deps.supplierOf,
    };
    // Counted once the transaction committed: a batch that rolls back is read again.
    let counted = 0;
    let late = 0;
    await store.apply(
      batch.topic,
      batch.partition,
      Number(last.offset) + 1,
      now,
      config.PERIOD_MS,
      (appliedUpTo) => {
        const fresh = decoded.filter((d) => d.offset >= appliedUpTo).map((d) => d.event);
        const summed = soldIncrements(fresh, rules, now);
        counted = fresh.filter((e) => e.type === 'SALE' || e.type === 'RETURN').length;
        late = summed.late;
        return summed.increments;
      },
    );
    metrics.soldEvents.inc({ late: 'false' }, counted - late);
    metrics.soldEvents.inc({ late: 'true' }, late);
    resolveOffset(last.offset);
    await heartbeat();
  }
}
