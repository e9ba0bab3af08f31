import { defineMetrics, fastBuckets } from '@inventory/service';

export const createMetrics = defineMetrics((m) => ({
  messagesIn: m.counter('mq_messages_in_total', 'Messages taken from the queue'),
  eventsOut: m.counter('mq_events_out_total', 'Canonical events written to Kafka and acknowledged on MQ'),
  deadLetters: m.counter(
    'mq_dead_letters_total',
    'Messages dead-lettered (MQ queue and Kafka topic), by reason',
    ['reason'],
  ),
  sendFailures: m.counter(
    'mq_kafka_send_failures_total',
    'Kafka requests refused (retried with backoff; nothing acknowledged meanwhile)',
  ),
  lag: m.gauge('mq_queue_depth', 'Messages waiting in the queue (lag)'),
  batchSeconds: m.histogram(
    'mq_batch_seconds',
    'Decode, Kafka write and acknowledgement of one batch',
    fastBuckets,
  ),
}));

export type BridgeMetrics = ReturnType<typeof createMetrics>;
