import { loadPlatformatic } from './modules.ts';
import { type BenchConnection, platformaticReach } from './reach.ts';
import { type ClientUnderTest, sentAtHeader } from './types.ts';

const sentAtKey = Buffer.from(sentAtHeader);

/**
 * @platformatic/kafka configured as the platform's producer and consumer would be: idempotent
 * with acks=all, Java's murmur2 placement (its `compatibilityPartitioner`: the default
 * partitioner takes the hash unsigned and places some keys elsewhere, see the guarantees
 * test), read_committed, records as Buffers (the codec does Avro).
 */
export async function platformaticClient(connection: BenchConnection): Promise<ClientUnderTest> {
  const kafka = await loadPlatformatic();
  const reach = platformaticReach(connection);
  return {
    name: 'platformatic',
    async producer(clientId) {
      const producer = new kafka.Producer({
        clientId,
        ...reach,
        idempotent: true,
        acks: kafka.ProduceAcks.ALL,
        partitioner: kafka.compatibilityPartitioner,
        autocreateTopics: false,
        retries: 8,
      });
      return {
        async send(topic, records) {
          await producer.send({
            messages: records.map((r) => ({
              topic,
              key: Buffer.from(r.key),
              value: r.value,
              ...(r.sentAtUs === undefined
                ? {}
                : // A Map: headers as a plain object (its types allow it) leave the send unsettled forever.
                  { headers: new Map([[sentAtKey, Buffer.from(String(r.sentAtUs))]]) }),
            })),
          });
        },
        close: () => producer.close(),
      };
    },
    async consume({ topic, groupId, withSentAt }, sink) {
      const consumer = new kafka.Consumer({
        clientId: groupId,
        groupId,
        ...reach,
        isolationLevel: kafka.FetchIsolationLevels.READ_COMMITTED,
        maxBytesPerPartition: 1024 * 1024,
        maxWaitTime: 500,
        autocreateTopics: false,
      });
      const stream = await consumer.consume({
        topics: [topic],
        mode: kafka.MessagesStreamModes.COMMITTED,
        fallbackMode: kafka.MessagesStreamFallbackModes.EARLIEST,
        autocommit: 1000,
      });
      stream.on('data', (message) => {
        let sentAt: number | undefined;
        if (withSentAt) {
          for (const [key, value] of message.headerEntries) {
            if (key.equals(sentAtKey)) sentAt = Number(value.toString());
          }
        }
        sink(message.value, sentAt);
      });
      return {
        async close() {
          await stream.close();
          await consumer.close();
        },
      };
    },
  };
}
