import { errorMessage, InventoryError, type Logger, retry } from '@inventory/core';
import type { Bucket } from '@inventory/object-store';

const pad = (n: number) => String(n).padStart(2, '0');

/** Where raw payloads are archived, and what retention deletes. */
export const archivePrefix = 'inventory-sync/';

/** inventory-sync/YYYY-MM-DD/inventory_YYYYMMDD_HHMMSS.json, in UTC (the nightly sync's spec). */
export function archiveKey(at: number): string {
  const d = new Date(at);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const stamp = `${date.replace(/-/g, '')}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return `${archivePrefix}${date}/inventory_${stamp}.json`;
}

/** The UTC day an archive was written, from its key; undefined for a key that is not an archive. */
export function archiveDay(key: string): number | undefined {
  const match = /^inventory-sync\/(\d{4}-\d{2}-\d{2})\/inventory_(\d{8})_\d{6}\.json$/.exec(key);
  if (!match || match[1]?.replace(/-/g, '') !== match[2]) return undefined;
  const day = Date.parse(`${match[1]}T00:00:00Z`);
  return Number.isNaN(day) ? undefined : day;
}

/**
 * Archives past retention at `now`: written on a UTC day more than `days` days before
 * today's (30 days: on 2026-12-31, archives of 2026-11-30 and before). Keys that are not
 * archives are never touched.
 */
export function expiredArchives(keys: string[], now: number, days: number): string[] {
  const today = Math.floor(now / 86_400_000) * 86_400_000;
  const oldestKept = today - days * 86_400_000;
  return keys.filter((key) => {
    const day = archiveDay(key);
    return day !== undefined && day < oldestKept;
  });
}

export interface ArchiveOptions {
  retries: number;
  initialDelayMs: number;
  signal?: AbortSignal;
  log: Logger;
}

/**
 * Writes the payload exactly as received at its key: the server checks its MD5 and SHA-256
 * and the stored object is read back (Bucket.putVerified). An object already at the key is
 * never replaced; if it holds these very bytes (an earlier attempt whose answer was lost),
 * the archive is done. A store that cannot be reached is retried with capped exponential
 * backoff; then the error is the job's. Returns the s3:// address of the archive.
 */
export async function archivePayload(
  bucket: Bucket,
  at: number,
  payload: Buffer,
  options: ArchiveOptions,
): Promise<string> {
  const key = archiveKey(at);
  let attempts = 0;
  try {
    await retry(
      async () => {
        attempts++;
        try {
          await bucket.putVerified(key, payload, { ifAbsent: true, contentType: 'application/json' });
        } catch (error) {
          if (!(error instanceof InventoryError && error.code === 'OBJECT_EXISTS')) throw error;
          if (!(await bucket.get(key)).equals(payload))
            throw new InventoryError('OBJECT_EXISTS', `${bucket.uri(key)} holds another payload`, {
              cause: error,
            });
        }
      },
      {
        policy: { initialMs: options.initialDelayMs, maxMs: 30_000, factor: 2, retries: options.retries },
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (error, attempt, waitMs) =>
          options.log.warn(
            { attempt, waitMs, err: errorMessage(error) },
            'archiving the payload failed; retrying',
          ),
      },
    );
  } catch (error) {
    throw new InventoryError(
      error instanceof InventoryError ? error.code : 'OBJECT_STORE_UNAVAILABLE',
      `the payload could not be archived to ${bucket.uri(key)}: ${errorMessage(error)} (attempt ${attempts})`,
      { cause: error },
    );
  }
  return bucket.uri(key);
}

/**
 * Keeps archives `days` days: a lifecycle rule on the prefix where the server has lifecycle
 * rules, and, on every run, deletion of what is past retention by the job itself (S3Proxy
 * has no lifecycle; with a rule this finds nothing older). Returns what was deleted.
 */
export async function applyRetention(
  bucket: Bucket,
  now: number,
  days: number,
): Promise<{ rule: string; deleted: string[] }> {
  const rule = await bucket.ensureExpiryRule({ id: 'inventory-sync-retention', prefix: archivePrefix, days });
  const deleted = expiredArchives(
    (await bucket.list(archivePrefix)).map((o) => o.key),
    now,
    days,
  );
  await bucket.remove(deleted);
  return { rule, deleted };
}
