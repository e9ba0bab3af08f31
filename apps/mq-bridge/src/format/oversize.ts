import { fingerprint } from '@inventory/kafka';

/**
 * An MQ message larger than Kafka is sent (`MQ_MAX_MESSAGE_BYTES`, below the topics' 1 MiB
 * with room for the headers). Copied whole, its raw copy or dead letter would make a produce
 * request the topic refuses for good (MESSAGE_TOO_LARGE), and its batch, with everything queued
 * behind it, would be retried without end. Instead it is a dead letter: whole on MQ's
 * dead-letter queue, and in Kafka (raw copy and dead letter) as its size and SHA-256, without
 * its bytes, so the lake still records that it came and which message it was.
 */
export interface Oversize {
  /** Headers that stand for the payload in Kafka. */
  headers: { 'mq-payload-bytes': string; 'mq-payload-sha256': string };
  /** The dead letter's message. */
  detail: string;
}

/** `undefined` when the payload goes to Kafka as it is. */
export function oversize(payload: Buffer, maxBytes: number, deadLetterQueue: string): Oversize | undefined {
  if (payload.length <= maxBytes) return undefined;
  const { bytes, sha256 } = fingerprint(payload);
  return {
    headers: { 'mq-payload-bytes': String(bytes), 'mq-payload-sha256': sha256 },
    detail: `the message has ${payload.length} bytes, more than the ${maxBytes} sent to Kafka (MQ_MAX_MESSAGE_BYTES); it is kept whole on ${deadLetterQueue}`,
  };
}
