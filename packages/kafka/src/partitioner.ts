import { Partitioners } from 'kafkajs';

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`, which kafkajs' default partitioner
 * copies) in 32-bit integer arithmetic. kafkajs computes it with a 64-bit Long class, an
 * object per step: in a profile of the query API's routes, kafkajs' hashing had 8 % of the busy time.
 * Every product keeps only the low 32 bits, which is what Math.imul gives. The key is
 * hashed as its UTF-8 bytes; an ASCII sku is read without encoding it into a Buffer first.
 */
export function murmur2(key: string | Buffer): number {
  if (typeof key === 'string') {
    const text = key;
    if (isAscii(text)) return hash(text.length, (i) => text.charCodeAt(i));
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return hash(bytes.length, (i) => bytes[i] as number);
}

const seed = 0x9747b28c;
const m = 0x5bd1e995;

function hash(length: number, byteAt: (i: number) => number): number {
  let h = seed ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = byteAt(i) | (byteAt(i + 1) << 8) | (byteAt(i + 2) << 16) | (byteAt(i + 3) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= byteAt(whole + 2) << 16;
    if (tail >= 2) h ^= byteAt(whole + 1) << 8;
    h ^= byteAt(whole);
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** The partition of `partitions` a keyed record goes to: Java's and kafkajs' default placement. */
export const keyPartition = (key: string | Buffer, partitions: number): number =>
  (murmur2(key) & 0x7fffffff) % partitions;

type Partitioner = ReturnType<typeof Partitioners.DefaultPartitioner>;

/**
 * kafkajs' default partitioner with the murmur2 above: an explicit partition is kept, a key
 * is placed by its hash over all the topic's partitions (so a sku's partition never moves
 * while a leader is down), a record without either is left to kafkajs' round robin.
 */
export function murmur2Partitioner(): Partitioner {
  const roundRobin = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined)
      return keyPartition(message.key, partitionMetadata.length);
    return roundRobin(args);
  };
}
