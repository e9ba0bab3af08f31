import { existsSync, statSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { viewName } from './query.ts';
import type { LakeObject, LakeStore } from './store.ts';

export interface MirrorReport {
  fetched: number;
  fetchedBytes: number;
  kept: number;
  removed: number;
  topics: string[];
}

/** The topics of a listing of the lake (keys `topic=<topic>/...`). */
export const topicsOf = (objects: LakeObject[]): string[] =>
  [
    ...new Set(objects.map((o) => /^topic=([^/]+)\//.exec(o.key)?.[1]).filter((t): t is string => !!t)),
  ].sort();

/**
 * The topics a query needs: those whose view (or an alias of it) the SQL names; all of them
 * when it names none (it may read files by path).
 */
export function topicsNamedBy(sql: string, topics: string[], aliases: Record<string, string> = {}): string[] {
  const names = (topic: string) => [
    viewName(topic),
    ...Object.entries(aliases)
      .filter(([, t]) => t === topic)
      .map(([alias]) => alias),
  ];
  const named = topics.filter((topic) => names(topic).some((n) => new RegExp(`\\b${n}\\b`, 'i').test(sql)));
  return named.length > 0 ? named : topics;
}

/**
 * Makes `cache` a copy of the lake's objects of `topics`, as the same folder layout: objects
 * not there yet (or of another size) are fetched, files no longer in the lake removed. A
 * lake file never changes content under its name (it is named by its offset range), so a
 * cached file of the same name and size is the object.
 */
export async function mirrorLake(store: LakeStore, cache: string, topics?: string[]): Promise<MirrorReport> {
  const all = await store.list('');
  const chosen = topics ?? topicsOf(all);
  const wanted = all.filter((o) => chosen.some((t) => o.key.startsWith(`topic=${t}/`)));
  const report: MirrorReport = { fetched: 0, fetchedBytes: 0, kept: 0, removed: 0, topics: chosen };
  for (const object of wanted) {
    const path = join(cache, object.key);
    if (existsSync(path) && statSync(path).size === object.size) {
      report.kept++;
      continue;
    }
    await store.download(object.key, path);
    report.fetched++;
    report.fetchedBytes += object.size;
  }
  const keep = new Set(wanted.map((o) => join(cache, o.key)));
  for (const topic of chosen) {
    const dir = join(cache, `topic=${topic}`);
    const files = existsSync(dir) ? ((await readdir(dir, { recursive: true })) as string[]) : [];
    for (const file of files.map((f) => join(dir, f)))
      if (file.endsWith('.parquet') && !keep.has(file)) {
        await rm(file, { force: true });
        report.removed++;
      }
  }
  return report;
}
