import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a row lands: hive partitions by source topic and event date and hour (UTC), so that
 * a day, an hour or one source is read without touching the rest.
 *   <root>/topic=<topic>/date=YYYY-MM-DD/hour=HH/<topic>-p<partition>-<first>-<last>.parquet
 * The file name is the topic, partition and offset range of the flush it came from: a flush
 * written again after a crash has the same name, and files of offsets not yet committed can
 * be found (and removed) from the names alone.
 */
export function bucketOf(timestampMs: number): { date: string; hour: string } {
  const iso = new Date(timestampMs).toISOString();
  return { date: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

export function fileName(topic: string, partition: number, first: number, last: number): string {
  return `${topic}-p${partition}-${String(first).padStart(20, '0')}-${String(last).padStart(20, '0')}.parquet`;
}

export function bucketDir(root: string, topic: string, bucket: { date: string; hour: string }): string {
  return join(root, `topic=${topic}`, `date=${bucket.date}`, `hour=${bucket.hour}`);
}

/** The offset range of a lake file of this topic and partition, from its name. */
export function parseFileName(
  name: string,
  topic: string,
  partition: number,
): { first: number; last: number } | undefined {
  const prefix = `${topic}-p${partition}-`;
  if (!name.startsWith(prefix) || !name.endsWith('.parquet')) return undefined;
  const match = /^(\d{20})-(\d{20})\.parquet$/.exec(name.slice(prefix.length));
  return match ? { first: Number(match[1]), last: Number(match[2]) } : undefined;
}

/**
 * Files of a partition a crashed writer left: temporary ones, and finished ones whose offset
 * range starts at or after `from` (the offset consumption resumes from, so never committed).
 */
export function leftoverFiles(root: string, topic: string, partition: number, from: number): string[] {
  const dir = join(root, `topic=${topic}`);
  let entries: string[];
  try {
    entries = readdirSync(dir, { recursive: true }) as string[];
  } catch {
    return [];
  }
  return entries
    .filter((entry) => {
      const name = entry.split('/').at(-1) as string;
      if (name.startsWith(`${topic}-p${partition}-`) && name.endsWith('.tmp')) return true;
      const range = parseFileName(name, topic, partition);
      return range !== undefined && range.first >= from;
    })
    .map((entry) => join(dir, entry));
}
