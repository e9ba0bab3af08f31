import { createConsumer, createKafka, createProducer } from '@inventory/kafka';
import type { Message } from 'kafkajs';
import type { BenchConnection } from './reach.ts';
import { batchToSink, type ClientUnderTest, sentAtHeader } from './types.ts';

/** kafkajs exactly as the platform builds it (packages/kafka: createKafka, createProducer, createConsumer). */
export function kafkajsClient(connection: BenchConnection): ClientUnderTest {
  return {
    name: 'kafkajs',
    async producer(clientId) {
      const producer = createProducer(createKafka({ clientId, ...connection }));
      await producer.connect();
      return {
        async send(topic, records) {
          const messages: Message[] = records.map((r) =>
            r.sentAtUs === undefined
              ? { key: r.key, value: r.value }
              : { key: r.key, value: r.value, headers: { [sentAtHeader]: String(r.sentAtUs) } },
          );
          await producer.send({ topic, acks: -1, messages });
        },
        close: () => producer.disconnect(),
      };
    },
    async consume({ topic, groupId, withSentAt }, sink) {
      const consumer = createConsumer(createKafka({ clientId: groupId, ...connection }), {
        groupId,
        maxBytesPerPartition: 1024 * 1024,
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 12,
        eachBatch: batchToSink(withSentAt, sink),
      });
      return { close: () => consumer.disconnect() };
    },
  };
}
