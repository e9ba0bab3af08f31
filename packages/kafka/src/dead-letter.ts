import { createHash } from 'node:crypto';
import type { Message } from 'kafkajs';
import { defaultMaxRequestBytes, messageBytes } from './request-size.ts';

/**
 * A dead letter carries its record whole, to be read, mended and sent again. A record near
 * its topic's limit (1 MiB) does not fit with the letter's `dlq-*` headers: the dead-letter
 * topic would refuse it for good (MESSAGE_TOO_LARGE), the app would stop at the same record
 * on every start, and nothing behind it would flow. So a letter over `maxBytes` (the
 * producer's request bound, below the topics' limit) carries its record's value, and its key
 * too when that alone is over the bound, as size and SHA-256 in headers instead of the bytes:
 * `dlq-value-bytes` and `dlq-value-sha256` (`dlq-key-bytes`, `dlq-key-sha256`). The record
 * itself stays in its source topic, where `dlq-original-*` point, for that topic's retention.
 */

/** Size and SHA-256 (hex) of bytes that stand in for them where they are not sent. */
export function fingerprint(bytes: Buffer | string): { bytes: number; sha256: string } {
  return {
    bytes: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The letter as it is when it fits in `maxBytes`; otherwise with its value (and key) as fingerprints. */
export function boundedDeadLetter(letter: Message, maxBytes = defaultMaxRequestBytes): Message {
  if (messageBytes(letter) <= maxBytes) return letter;
  const withoutValue: Message =
    letter.value === null
      ? letter
      : { ...letter, value: null, headers: { ...letter.headers, ...standIn('value', letter.value) } };
  if (messageBytes(withoutValue) <= maxBytes || letter.key === null || letter.key === undefined)
    return withoutValue;
  return { ...withoutValue, key: null, headers: { ...withoutValue.headers, ...standIn('key', letter.key) } };
}

function standIn(part: 'key' | 'value', bytes: Buffer | string): Record<string, string> {
  const { bytes: size, sha256 } = fingerprint(bytes);
  return { [`dlq-${part}-bytes`]: String(size), [`dlq-${part}-sha256`]: sha256 };
}
