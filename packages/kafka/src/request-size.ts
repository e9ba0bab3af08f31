import type { Message, Producer, TopicMessages } from 'kafkajs';

/**
 * Produce requests under a size. kafkajs sends all the messages of one partition in one
 * record batch, and a broker refuses a batch larger than its `message.max.bytes` (1 MiB by
 * default) or the topic's `max.message.bytes` with MESSAGE_TOO_LARGE, which no retry
 * helps: a large publication (a full count of a store, a step of a sparse workload) must go
 * out as several requests, which one transaction still commits together.
 */

/** About what a message takes in a record batch: key, value, headers and their lengths. */
export function messageBytes(message: Message): number {
  let bytes = 24 + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {}))
    bytes += 8 + Buffer.byteLength(name) + byteLength(value as string | Buffer | undefined);
  return bytes;
}

function byteLength(value: string | Buffer | null | undefined | (string | Buffer)[]): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum, v) => sum + byteLength(v), 0);
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * The topics' messages in requests of at most `maxBytes` each (a message larger than that
 * alone in its request), in their order: what a transaction sends one after the other.
 */
export function requestsOf(topicMessages: TopicMessages[], maxBytes: number): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let request: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    let run: Message[] = [];
    for (const message of messages) {
      const size = messageBytes(message);
      if (bytes + size > maxBytes && bytes > 0) {
        if (run.length > 0) request.push({ topic, messages: run });
        requests.push(request);
        request = [];
        run = [];
        bytes = 0;
      }
      run.push(message);
      bytes += size;
    }
    if (run.length > 0) request.push({ topic, messages: run });
  }
  if (request.length > 0) requests.push(request);
  return requests;
}

/** Half the brokers' and topics' 1 MiB default: room for the batch's own framing and headers. */
export const defaultMaxRequestBytes = 512 * 1024;

/**
 * Sends the topics' messages (acks=all) in as many produce requests of at most `maxBytes` as
 * they need, one after the other in their order: many dead letters at once, for one, would
 * otherwise make a record batch that the topic refuses for good.
 */
export async function sendBounded(
  producer: Pick<Producer, 'sendBatch'>,
  topicMessages: TopicMessages[],
  maxBytes = defaultMaxRequestBytes,
  /** The broker's wait for the replicas' acknowledgement of each request; kafkajs' default otherwise. */
  timeoutMs?: number,
): Promise<void> {
  for (const request of requestsOf(topicMessages, maxBytes))
    await producer.sendBatch({
      acks: -1,
      topicMessages: request,
      ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    });
}
