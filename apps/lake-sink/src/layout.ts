import { isoTime } from '@inventory/core';
/**
 * Where a row lands: hive partitions by source topic, the data centre whose sink wrote it, and
 * event date and hour (UTC), so that a day, an hour, one source or one data centre is read
 * without touching the rest. Keys are relative to the lake's root (a folder, or a bucket and
 * prefix):
 *   topic=<topic>/dc=<dataCentre>/date=YYYY-MM-DD/hour=HH/<topic>-p<partition>-<first>-<last>.parquet
 * The file name is the topic, partition and offset range of the chunk it came from: a chunk
 * written again after a crash has the same name, and files of offsets not yet committed can
 * be found (and removed) from the names alone, under the writer's own data centre: the topic's
 * partition of another data centre is another partition, with its own offsets.
 */
export function bucketOf(timestampMs: number): { date: string; hour: string } {
  const iso = isoTime(timestampMs);
  return { date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

const hourMs = 3_600_000;

/** The hour of UTC a time falls in, as a number: the rows of one hour share a bucket. */
export const hourOf = (timestampMs: number): number => Math.floor(timestampMs / hourMs);

/** The bucket of an hour numbered by hourOf. */
export const bucketOfHour = (hour: number): { date: string; hour: string } => bucketOf(hour * hourMs);

/** The prefix of every object of a topic. */
export const topicPrefix = (topic: string): string => `topic=${topic}/`;

/** The prefix of every object of a topic that a data centre's sink wrote. */
export const writerPrefix = (topic: string, dataCentre: string): string =>
  `${topicPrefix(topic)}dc=${dataCentre}/`;

/** The prefix of the names of a partition's files. */
export const partitionFilePrefix = (topic: string, partition: number): string => `${topic}-p${partition}-`;

export function fileName(topic: string, partition: number, first: number, last: number): string {
  return `${partitionFilePrefix(topic, partition)}${String(first).padStart(20, '0')}-${String(last).padStart(20, '0')}.parquet`;
}

/** The key of a chunk's file in a date/hour bucket. */
export function fileKey(
  topic: string,
  dataCentre: string,
  bucket: { date: string; hour: string },
  partition: number,
  first: number,
  last: number,
): string {
  return `${writerPrefix(topic, dataCentre)}date=${bucket.date}/hour=${bucket.hour}/${fileName(topic, partition, first, last)}`;
}

/** The offset range of a lake file of this topic and partition, from its name. */
export function parseFileName(
  name: string,
  topic: string,
  partition: number,
): { first: number; last: number } | undefined {
  const prefix = partitionFilePrefix(topic, partition);
  if (!name.startsWith(prefix) || !name.endsWith('.parquet')) return undefined;
  const match = /^(\d{20})-(\d{20})\.parquet$/.exec(name.slice(prefix.length));
  return match ? { first: Number(match[1]), last: Number(match[2]) } : undefined;
}

/**
 * The keys (of a listing of the topic's prefix) a crashed writer left for this partition:
 * files whose offset range starts at or after `from`, the offset consumption resumes from,
 * so never committed.
 */
export function leftoverKeys(keys: string[], topic: string, partition: number, from: number): string[] {
  return keys.filter((key) => {
    const range = parseFileName(key.split('/').at(-1) as string, topic, partition);
    return range !== undefined && range.first >= from;
  });
}
