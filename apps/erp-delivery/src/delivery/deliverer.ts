import { delay, errorMessage, isRetriable } from '@inventory/core';
import { createConsumer, sendBounded } from '@inventory/kafka';
import { failOnFatalCrash } from '@inventory/service';
import type { Consumer, EachBatchPayload, KafkaMessage, Message } from 'kafkajs';
import type { DeliveryDeps } from '../config.ts';
import { holdThroughOutage } from '../hold.ts';
import type { Send } from './client.ts';
import {
  type DeadLetterReason,
  type DeliveryState,
  deadLetterHeaders,
  readState,
  stateHeaders,
} from './headers.ts';
import {
  type DeliveryRequest,
  purchaseOrderRequests,
  type RecordKind,
  soldQuantityRequests,
} from './requests.ts';

export const retryTopicName = (prefix: string, stage: number) => `${prefix}${stage}.v1`;

interface Output {
  topic: string;
  message: Message;
}

/** A record of a batch with its retry state (undefined on a first attempt). */
interface Pending {
  message: KafkaMessage;
  previous: DeliveryState | { missing: string } | undefined;
}

const dueAt = (record: Pending) =>
  record.previous === undefined || 'missing' in record.previous ? 0 : (record.previous.dueAt ?? 0);

/**
 * Delivers records to the receiving APIs without ever blocking the stream: a failed
 * delivery is not retried in place but forwarded to retry stage i+1 (its own topic and
 * consumer, waiting its delay), and after the last stage, or at once when no retry can
 * help, to the dead-letter topic. A record's offset is committed only after its delivery
 * succeeded or its forward was acknowledged by Kafka, so a crash repeats deliveries but
 * never drops one; the idempotency key makes the repeat harmless.
 */
export class Deliverer {
  private readonly consumers: Consumer[] = [];
  private readonly joined = new Set<number>();
  private readonly abort = new AbortController();
  private readonly now: () => number;

  constructor(private readonly deps: DeliveryDeps & { send: Send }) {
    this.now = deps.now ?? Date.now;
  }

  get stages(): number {
    return this.deps.config.RETRY_DELAYS_MS.length;
  }

  ready(): boolean {
    return this.joined.size === this.stages + 1;
  }

  async start(): Promise<void> {
    const { config, kafka } = this.deps;
    for (let stage = 0; stage <= this.stages; stage++) {
      const consumer = createConsumer(kafka, {
        groupId: stage === 0 ? config.GROUP_ID : `${config.GROUP_ID}-retry-${stage}`,
        sessionTimeoutMs: config.SESSION_TIMEOUT_MS,
        // A retry stage waits inside its batch (heartbeating); a rebalance must not outwait it.
        rebalanceTimeoutMs: Math.max(60_000, ...config.RETRY_DELAYS_MS.map((ms) => ms + 10_000)),
        maxWaitTimeMs: 500,
      });
      this.consumers.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, () => this.joined.add(stage));
      failOnFatalCrash(consumer, this.deps, stage === 0 ? 'deliveries' : `deliveries, retry ${stage}`);
      await consumer.connect();
      const topics =
        stage === 0
          ? [config.PURCHASE_ORDERS_TOPIC, config.SOLD_QUANTITIES_TOPIC]
          : [retryTopicName(config.RETRY_TOPIC_PREFIX, stage)];
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommitThreshold: 1,
        eachBatch: (payload) => this.batch(stage, payload),
      });
    }
  }

  /** First attempts stop first (no new intake), then the retry stages; each commits what it finished. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const consumer of this.consumers) await consumer.disconnect();
  }

  private async batch(stage: number, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { config } = this.deps;
    // Writer schemas first: a registry that cannot be reached holds the batch, it is no reason
    // to dead-letter a record.
    await holdThroughOutage(
      () => this.deps.codec.preloadWriters(batch.messages.map((m) => m.value)),
      payload,
      this.deps.logger,
      'reading writer schemas from the registry',
    );
    // A retry record's state is read once; first attempts have none.
    const records: Pending[] = batch.messages.map((message) => ({
      message,
      previous: stage === 0 ? undefined : readState(message.headers),
    }));
    for (let i = 0; i < records.length; ) {
      if (!isRunning() || isStale() || this.abort.signal.aborted) return;
      // Retry records are in due order within a partition (same delay, appended as they
      // failed), so waiting for the head is waiting for the earliest.
      if (!(await this.waitUntil(dueAt(records[i] as Pending), payload))) return;
      const chunk: Pending[] = [];
      while (i < records.length && chunk.length < config.CONCURRENCY) {
        const record = records[i] as Pending;
        if (chunk.length > 0 && dueAt(record) > this.now()) break;
        chunk.push(record);
        i++;
      }
      const outputs = await Promise.all(
        chunk.map((r) => this.deliver(stage, batch.topic, batch.partition, r)),
      );
      await this.forward(outputs.flat());
      resolveOffset((chunk.at(-1) as Pending).message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
  }

  /** False when the wait was cut short (stopping, or the partition moved to another member). */
  private async waitUntil(due: number, payload: EachBatchPayload): Promise<boolean> {
    for (;;) {
      const remaining = due - this.now();
      if (remaining <= 0) return true;
      if (!payload.isRunning() || payload.isStale()) return false;
      try {
        await delay(Math.min(remaining, 1_000), this.abort.signal);
      } catch {
        return false;
      }
      await payload.heartbeat();
    }
  }

  private async forward(outputs: Output[]): Promise<void> {
    if (outputs.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of outputs) {
      const messages = byTopic.get(topic) ?? [];
      messages.push(message);
      byTopic.set(topic, messages);
    }
    // Each retry record carries its whole order: a chunk of large ones must not make one
    // request the topic refuses for good.
    await sendBounded(
      this.deps.producer,
      [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    );
  }

  private kindOf(topic: string): RecordKind | undefined {
    if (topic === this.deps.config.PURCHASE_ORDERS_TOPIC) return 'purchase-order';
    if (topic === this.deps.config.SOLD_QUANTITIES_TOPIC) return 'sold-quantity';
    return undefined;
  }

  private async requestsFor(kind: RecordKind, value: Buffer): Promise<DeliveryRequest[]> {
    const { codec, config } = this.deps;
    const endpoints = { erpUrl: config.ERP_URL, supplierApiUrl: config.SUPPLIER_API_URL };
    if (kind === 'purchase-order') {
      return purchaseOrderRequests(await codec.decode(value, 'PurchaseOrder'), endpoints);
    }
    return soldQuantityRequests(await codec.decode(value, 'SoldQuantity'), endpoints);
  }

  private async deliver(stage: number, topic: string, partition: number, record: Pending): Promise<Output[]> {
    const { message, previous } = record;
    const now = this.now();
    // Where the record first came from: this topic for a first attempt, the headers for a retry.
    const origin =
      previous === undefined || 'missing' in previous
        ? { topic, partition, offset: message.offset, timestamp: Number(message.timestamp) }
        : {
            topic: previous.originalTopic,
            partition: previous.originalPartition,
            offset: previous.originalOffset,
            timestamp: previous.originalTimestamp,
          };
    const undeliverable = (error: string) =>
      this.deadLetter(
        message,
        {
          destination: 'erp',
          attempts: 0,
          originalTopic: origin.topic,
          originalPartition: origin.partition,
          originalOffset: origin.offset,
          originalTimestamp: origin.timestamp,
          firstFailedAt: now,
          lastFailedAt: now,
          lastErrorCode: 'UNDECODABLE',
          lastError: error,
          lastStatus: undefined,
          dueAt: undefined,
        },
        'UNDECODABLE',
        now,
      );
    if (previous !== undefined && 'missing' in previous)
      return [undeliverable(`not a delivery record: no ${previous.missing}`)];
    const kind = this.kindOf(origin.topic);
    if (kind === undefined || message.value === null)
      return [undeliverable(`no deliverable record from ${origin.topic}`)];
    let requests: DeliveryRequest[];
    try {
      requests = await this.requestsFor(kind, message.value);
    } catch (error) {
      if (isRetriable(error)) throw error;
      return [undeliverable(`cannot decode: ${errorMessage(error)}`)];
    }
    if (previous !== undefined) requests = requests.filter((r) => r.destination === previous.destination);
    const outputs: Output[] = [];
    for (const request of requests) {
      const output = await this.attempt(stage, request, message, previous, origin);
      if (output) outputs.push(output);
    }
    return outputs;
  }

  private async attempt(
    stage: number,
    request: DeliveryRequest,
    message: KafkaMessage,
    previous: DeliveryState | undefined,
    origin: { topic: string; partition: number; offset: string; timestamp: number },
  ): Promise<Output | undefined> {
    const { metrics, config } = this.deps;
    const started = this.now();
    const outcome = await this.deps.send(request);
    const now = this.now();
    const labels = { kind: request.kind, destination: request.destination };
    metrics.call.observe({ destination: request.destination, outcome: outcome.kind }, (now - started) / 1000);
    if (outcome.kind === 'delivered') {
      metrics.delivered.inc({ ...labels, stage: String(stage) });
      if (outcome.replayed) metrics.replayed.inc(labels);
      metrics.latency.observe(labels, Math.max(0, now - origin.timestamp) / 1000);
      return undefined;
    }
    const state: DeliveryState = {
      destination: request.destination,
      attempts: (previous?.attempts ?? 0) + 1,
      originalTopic: origin.topic,
      originalPartition: origin.partition,
      originalOffset: origin.offset,
      originalTimestamp: origin.timestamp,
      firstFailedAt: previous?.firstFailedAt ?? now,
      lastFailedAt: now,
      lastErrorCode: outcome.code,
      lastError: outcome.message,
      lastStatus: outcome.status,
      dueAt: undefined,
    };
    const nextDelay = config.RETRY_DELAYS_MS[stage];
    if (outcome.retriable && nextDelay !== undefined) {
      metrics.retried.inc({ stage: String(stage + 1), destination: request.destination, code: outcome.code });
      return {
        topic: retryTopicName(config.RETRY_TOPIC_PREFIX, stage + 1),
        message: {
          key: message.key,
          value: message.value,
          headers: stateHeaders({ ...state, dueAt: now + nextDelay }),
        },
      };
    }
    const reason = outcome.retriable ? 'RETRIES_EXHAUSTED' : 'RECEIVER_REJECTED';
    this.deps.logger.warn(
      { destination: request.destination, key: request.idempotencyKey, reason, error: outcome.message },
      'delivery dead-lettered',
    );
    return this.deadLetter(message, state, reason, now);
  }

  private deadLetter(
    message: KafkaMessage,
    state: DeliveryState,
    reason: DeadLetterReason,
    now: number,
  ): Output {
    this.deps.metrics.deadLettered.inc({ reason, destination: state.destination });
    return {
      topic: this.deps.config.DLQ_TOPIC,
      message: { key: message.key, value: message.value, headers: deadLetterHeaders(state, reason, now) },
    };
  }
}
