import { mkdir, open, rename } from 'node:fs/promises';
import { join, relative } from 'node:path';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** inventory-sync/YYYY-MM-DD/inventory_YYYYMMDD_HHMMSS_job<id>.json, in UTC. */
export function archivePath(at: number, jobId: number): string {
  const d = new Date(at);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const stamp = `${date.replace(/-/g, '')}_${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  return join('inventory-sync', date, `inventory_${stamp}_job${jobId}.json`);
}

/**
 * Writes the payload under the lake's root exactly as received: to a temporary name,
 * fsynced, then renamed, so a reader never sees half a file and a crash leaves no partial
 * archive under the final name. Returns the path relative to the root.
 */
export async function archivePayload(
  root: string,
  at: number,
  jobId: number,
  payload: Buffer,
): Promise<string> {
  const path = join(root, archivePath(at, jobId));
  await mkdir(join(path, '..'), { recursive: true });
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w', 0o640);
  try {
    await file.writeFile(payload);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
  return relative(root, path);
}
