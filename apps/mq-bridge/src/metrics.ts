import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    messagesIn: new Counter({
      name: 'mq_messages_in_total',
      help: 'Messages taken from the queue',
      registers: [registry],
    }),
    eventsOut: new Counter({
      name: 'mq_events_out_total',
      help: 'Canonical events written to Kafka and acknowledged on MQ',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'mq_dead_letters_total',
      help: 'Messages dead-lettered (MQ queue and Kafka topic), by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    sendFailures: new Counter({
      name: 'mq_kafka_send_failures_total',
      help: 'Kafka requests refused (retried with backoff; nothing acknowledged meanwhile)',
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'mq_queue_depth',
      help: 'Messages waiting in the queue (lag)',
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'mq_batch_seconds',
      help: 'Decode, Kafka write and acknowledgement of one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type BridgeMetrics = ReturnType<typeof createMetrics>;
