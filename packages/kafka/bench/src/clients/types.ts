/** The three clients compared, each configured the way the platform would run it. */
export const clientNames = ['kafkajs', 'platformatic', 'confluent'] as const;
export type ClientName = (typeof clientNames)[number];

export interface OutgoingRecord {
  key: string;
  value: Buffer;
  /** Microseconds since the epoch at the send call, for the end-to-end latency. */
  sentAtUs?: number;
}

/** Idempotent, acks=all, keys placed by Java's murmur2 partitioner. */
export interface BenchProducer {
  send(topic: string, records: OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** Called once per record a consumer group hands over; `sentAtUs` only where the record carries it. */
export type RecordSink = (value: Buffer, sentAtUs: number | undefined) => void;

export interface GroupOptions {
  topic: string;
  groupId: string;
  /** Whether records carry a send time to read (the latency case). */
  withSentAt: boolean;
}

export interface BenchConsumer {
  close(): Promise<void>;
}

export interface ClientUnderTest {
  name: ClientName;
  producer(clientId: string): Promise<BenchProducer>;
  /**
   * A consumer group member reading `topic` from the earliest offset (read_committed, offsets
   * committed), every partition of it processed concurrently, handing each record to `sink`.
   */
  consume(options: GroupOptions, sink: RecordSink): Promise<BenchConsumer>;
}

export const sentAtHeader = 'bench-sent-at';

export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** A batch as kafkajs and the native client's KafkaJS API both hand it over. */
export interface KafkaJsLikeBatch {
  batch: { messages: { value: Buffer | null; headers?: Record<string, unknown> }[] };
}

/** The `eachBatch` of both KafkaJS-shaped APIs: every record to the sink, its send time read where asked. */
export function batchToSink(
  withSentAt: boolean,
  sink: RecordSink,
): (payload: KafkaJsLikeBatch) => Promise<void> {
  return async ({ batch }) => {
    for (const message of batch.messages) {
      const sentAt = withSentAt ? message.headers?.[sentAtHeader] : undefined;
      sink(message.value as Buffer, sentAt === undefined ? undefined : Number(String(sentAt)));
    }
  };
}
