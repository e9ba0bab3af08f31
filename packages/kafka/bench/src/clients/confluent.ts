import { loadConfluent } from './modules.ts';
import { type BenchConnection, confluentReach } from './reach.ts';
import { batchToSink, type ClientUnderTest, sentAtHeader } from './types.ts';

/**
 * @confluentinc/kafka-javascript through its KafkaJS-compatible API, configured as the
 * platform's producer and consumer would be: idempotent with acks=all (set per producer in
 * this API, not per send), its default partitioner murmur2_random (Java's placement for keyed
 * records), read_committed, batches as large as the fetched data (`js.consumer.max.batch.size`
 * -1; the default of 32 records per batch would split the aggregator's batches).
 */
export function confluentClient(connection: BenchConnection): ClientUnderTest {
  const { KafkaJS } = loadConfluent();
  const reach = confluentReach(connection);
  const kafka = (clientId: string) =>
    new KafkaJS.Kafka({
      kafkaJS: { clientId, ...reach.kafkaJS, logLevel: KafkaJS.logLevel.ERROR },
      ...reach.extra,
    });
  return {
    name: 'confluent',
    async producer(clientId) {
      const producer = kafka(clientId).producer({
        kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false },
        'linger.ms': lingerMs,
      });
      await producer.connect();
      return {
        async send(topic, records) {
          await producer.send({
            topic,
            messages: records.map((r) =>
              r.sentAtUs === undefined
                ? { key: r.key, value: r.value }
                : { key: r.key, value: r.value, headers: { [sentAtHeader]: String(r.sentAtUs) } },
            ),
          });
        },
        close: () => producer.disconnect(),
      };
    },
    async consume({ topic, groupId, withSentAt }, sink) {
      const consumer = kafka(groupId).consumer({
        kafkaJS: {
          groupId,
          fromBeginning: true,
          autoCommit: true,
          maxBytesPerPartition: 1024 * 1024,
          allowAutoTopicCreation: false,
        },
        'js.consumer.max.batch.size': -1,
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({
        partitionsConsumedConcurrently: 12,
        eachBatch: batchToSink(withSentAt, sink),
      });
      return { close: () => consumer.disconnect() };
    },
  };
}

/**
 * librdkafka waits up to linger.ms to fill a batch (default 5 ms). The platform awaits every
 * send (an ingest answers 202 after the acknowledgement), so waiting only adds latency; sends
 * made while a request is in flight are still batched together.
 */
const lingerMs = 0;
