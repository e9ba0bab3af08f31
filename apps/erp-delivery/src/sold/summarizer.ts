import type { SoldQuantity } from '@inventory/codec';
import { errorMessage } from '@inventory/core';
import {
  beyondFoldHorizon,
  type DedupPolicy,
  dayMs,
  dedupDay,
  eventProblem,
  type InventoryEvent,
} from '@inventory/domain';
import { createConsumer, sendBounded } from '@inventory/kafka';
import { failOnFatalCrash } from '@inventory/service';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { DeliveryDeps } from '../config.ts';
import { soldQuantityKey } from '../delivery/requests.ts';
import { holdThroughOutage } from '../hold.ts';
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
    private readonly deps: DeliveryDeps & {
      store: SoldStore;
      supplierOf: (sku: string) => string;
      /** The aggregator's dedup contract: the same events are summed as are folded. */
      dedup: DedupPolicy;
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
    const consumer = createConsumer(kafka, {
      groupId: config.SUMMARY_GROUP_ID,
      sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
      minBytes: config.SUMMARY_FETCH_MIN_BYTES,
      maxWaitTimeMs: config.SUMMARY_FETCH_MAX_WAIT_MS,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    failOnFatalCrash(consumer, this.deps, 'sold quantities');
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
            await sendBounded(producer, [
              {
                topic: config.SOLD_QUANTITIES_TOPIC,
                messages: summaries.map((s, i) => ({ key: soldQuantityKey(s), value: values[i] as Buffer })),
              },
            ]);
          },
        );
        metrics.soldPublished.inc(published);
        if (published === 0) break;
      }
      const { dedup } = this.deps;
      await store.forgetBefore(dedupDay(this.now() - dedup.horizonMs - dedup.graceMs - dayMs));
    } catch (error) {
      this.deps.logger.warn(
        { err: errorMessage(error) },
        'closing sold-quantity periods failed; next tick retries',
      );
    }
  }

  /**
   * The batch's events that the aggregator folds: a record that does not decode, an
   * impossible event, a foreign eventId or one past the dedup horizon is dead-lettered there
   * and left out here (counted, logged). A registry that cannot be reached holds the batch:
   * it is retried with backoff, heartbeating, never skipped.
   */
  private async decodeBatch(payload: EachBatchPayload): Promise<{ offset: number; event: InventoryEvent }[]> {
    const { codec, metrics, logger, dedup } = this.deps;
    const { batch } = payload;
    await holdThroughOutage(
      () => codec.preloadWriters(batch.messages.map((m) => m.value)),
      payload,
      logger,
      'reading writer schemas from the registry',
    );
    const now = this.now();
    const decoded: { offset: number; event: InventoryEvent }[] = [];
    for (const message of batch.messages) {
      let reason: string | undefined;
      try {
        if (message.value === null) reason = 'record has no value';
        else {
          const event = codec.decodeSync(message.value, 'InventoryEvent');
          reason = eventProblem(event)?.message;
          if (!reason && beyondFoldHorizon(event.occurredAt, now, dedup)) reason = 'beyond the dedup horizon';
          if (!reason) decoded.push({ offset: Number(message.offset), event });
        }
      } catch (error) {
        reason = errorMessage(error);
      }
      if (reason) {
        metrics.soldSkipped.inc();
        logger.warn(
          { partition: batch.partition, offset: message.offset, reason },
          'event left out of the sold quantities (the aggregator dead-letters it)',
        );
      }
    }
    return decoded;
  }

  private async batch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat } = payload;
    const { config, store, metrics } = this.deps;
    const last = batch.messages.at(-1);
    if (!last) return;
    const decoded = await this.decodeBatch(payload);
    const now = this.now();
    const rules = {
      periodMs: config.PERIOD_MS,
      graceMs: config.PERIOD_GRACE_MS,
      supplierOf: this.deps.supplierOf,
    };
    // Counted once the transaction committed: a batch that rolls back is read again.
    let late = 0;
    const result = await store.apply(
      batch.topic,
      batch.partition,
      Number(last.offset) + 1,
      now,
      config.PERIOD_MS,
      (appliedUpTo) =>
        decoded
          .filter((d) => d.offset >= appliedUpTo && (d.event.type === 'SALE' || d.event.type === 'RETURN'))
          .map((d) => d.event),
      (fresh) => {
        const summed = soldIncrements(fresh, rules, now);
        late = summed.late;
        return summed.increments;
      },
    );
    metrics.soldEvents.inc({ late: 'false' }, result.summed.length - late);
    metrics.soldEvents.inc({ late: 'true' }, late);
    metrics.soldDuplicates.inc(result.duplicates);
    resolveOffset(last.offset);
    await heartbeat();
  }
}
