import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { LakeObject, LakeStore } from './store.ts';

const temporarySuffix = '.tmp';

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  } catch {
    return [];
  }
}

/**
 * The lake in a local folder. A file is written under a temporary name of this write alone
 * (two writers of one chunk never share one), flushed, renamed into place and the folder
 * flushed, so a reader or a restart never sees half a file.
 */
export class FileLakeStore implements LakeStore {
  constructor(private readonly root: string) {}

  get location(): string {
    return this.root;
  }

  async write(key: string, fill: (path: string) => Promise<void>): Promise<number> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}${temporarySuffix}`;
    try {
      await fill(temporary);
      fsyncPath(temporary);
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
    // The rename itself is durable once the folder is synced.
    fsyncPath(dirname(path));
    return (await stat(path)).size;
  }

  async list(prefix: string): Promise<LakeObject[]> {
    const files = (await filesUnder(join(this.root, prefix))).filter((f) => !f.endsWith(temporarySuffix));
    return Promise.all(
      files.map(async (file) => ({ key: file.slice(this.root.length + 1), size: (await stat(file)).size })),
    );
  }

  async remove(keys: string[]): Promise<void> {
    for (const key of keys) await rm(join(this.root, key), { force: true });
  }

  async discardUnfinished(prefix: string, namePrefix: string): Promise<string[]> {
    const left = (await filesUnder(join(this.root, prefix))).filter((file) => {
      const name = basename(file);
      return name.startsWith(namePrefix) && name.endsWith(temporarySuffix);
    });
    for (const file of left) await rm(file, { force: true });
    return left.map((file) => file.slice(this.root.length + 1));
  }

  async download(key: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await copyFile(join(this.root, key), path);
  }

  async close(): Promise<void> {}
}
