import type { AvroCodec, InventoryEvent } from '@inventory/codec';
import { boundedDeadLetter, sendBounded } from '@inventory/kafka';
import { defineMetrics } from '@inventory/service';
import type { Consumer, EachBatchPayload, Message, Producer } from 'kafkajs';
import type { NormalizerConfig } from './config.ts';
import { normalize, type PlantMapping } from './normalize.ts';

export const createMetrics = defineMetrics((m) => ({
  changes: m.counter('sap_changes_total', 'Debezium change events read'),
  events: m.counter('sap_events_out_total', 'Canonical COUNT events written'),
  deadLetters: m.counter('sap_dead_letters_total', 'Change events that could not be mapped, by reason', [
    'reason',
  ]),
}));

export type NormalizerMetrics = ReturnType<typeof createMetrics>;

/**
 * Consume, normalise, produce, then commit: at least once. A repeated change has the same
 * eventId (from its LSN), so the aggregator drops the repeat.
 */
export class Normalizer {
  constructor(
    private readonly deps: {
      config: NormalizerConfig;
      consumer: Consumer;
      producer: Producer;
      codec: AvroCodec;
      mapping: PlantMapping;
      metrics: NormalizerMetrics;
      now?: () => number;
    },
  ) {}

  async start(): Promise<void> {
    const { consumer, config } = this.deps;
    await consumer.subscribe({ topic: config.RAW_TOPIC, fromBeginning: true });
    await consumer.run({ eachBatch: (payload) => this.batch(payload) });
  }

  private async batch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const { codec, config, mapping, metrics, producer } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const events: InventoryEvent[] = [];
    const dead: Message[] = [];
    for (const message of batch.messages) {
      metrics.changes.inc();
      let value: unknown;
      try {
        value = message.value === null ? null : JSON.parse(message.value.toString('utf8'));
      } catch {
        value = Symbol.for('malformed');
      }
      const result =
        typeof value === 'symbol'
          ? { kind: 'dead' as const, reason: 'MALFORMED_JSON', message: 'the value is not JSON' }
          : normalize(value, mapping, now);
      if (result.kind === 'event') events.push(result.event);
      if (result.kind === 'dead') {
        metrics.deadLetters.inc({ reason: result.reason });
        dead.push(
          boundedDeadLetter({
            key: message.key,
            value: message.value,
            headers: {
              'dlq-reason': result.reason,
              'dlq-message': result.message,
              'dlq-original-topic': batch.topic,
              'dlq-original-partition': String(batch.partition),
              'dlq-original-offset': message.offset,
              'dlq-time': new Date(now).toISOString(),
            },
          }),
        );
      }
    }
    const values = await codec.encodeAll(`${config.EVENTS_TOPIC}-value`, 'InventoryEvent', events);
    const topicMessages = [
      {
        topic: config.EVENTS_TOPIC,
        messages: events.map((e, i) => ({ key: e.sku, value: values[i] as Buffer })),
      },
      { topic: config.DLQ_TOPIC, messages: dead },
    ].filter((t) => t.messages.length > 0);
    if (topicMessages.length > 0) await sendBounded(producer, topicMessages);
    metrics.events.inc(events.length);
    const last = batch.messages.at(-1);
    if (last) resolveOffset(last.offset);
    await heartbeat();
  }
}
