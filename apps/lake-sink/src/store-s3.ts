import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '@inventory/core';
import type { Bucket, UnfinishedUpload } from '@inventory/object-store';
import type { LakeObject, LakeStore } from './store.ts';

/**
 * The lake in an S3 bucket, under a key prefix. A file is encoded in a local staging folder
 * of this process, then uploaded: in one verified PUT, or in parts completed only when all
 * are in (bucket.ts), so an object is visible whole or not at all. An upload whose abort
 * failed too (the server away) is aborted before the next write.
 */
export class S3LakeStore implements LakeStore {
  private readonly staging: string;
  private abandoned: UnfinishedUpload[] = [];

  constructor(
    private readonly bucket: Bucket,
    private readonly prefix: string,
    stagingRoot: string,
    private readonly partSize: number,
    private readonly logger: Logger,
  ) {
    this.staging = mkdtempSync(join(stagingRoot, 'lake-staging-'));
  }

  get location(): string {
    return this.bucket.uri(this.prefix);
  }

  private async abortAbandoned(): Promise<void> {
    const pending = this.abandoned;
    this.abandoned = [];
    for (const upload of pending) {
      try {
        await this.bucket.abortUpload(upload.key, upload.uploadId);
      } catch (error) {
        this.abandoned.push(upload);
        throw error;
      }
    }
  }

  async write(key: string, fill: (path: string) => Promise<void>): Promise<number> {
    await this.abortAbandoned();
    const path = join(this.staging, `${randomBytes(6).toString('hex')}.parquet`);
    try {
      await fill(path);
      return await this.bucket.uploadFile(this.prefix + key, path, this.partSize, (upload) => {
        this.abandoned.push(upload);
        this.logger.warn({ key: upload.key }, 'an interrupted upload could not be aborted yet; retried');
      });
    } finally {
      await rm(path, { force: true });
    }
  }

  async list(prefix: string): Promise<LakeObject[]> {
    return (await this.bucket.list(this.prefix + prefix)).map((o) => ({
      key: o.key.slice(this.prefix.length),
      size: o.size,
    }));
  }

  async remove(keys: string[]): Promise<void> {
    await this.bucket.remove(keys.map((key) => this.prefix + key));
  }

  async discardUnfinished(prefix: string, namePrefix: string): Promise<string[]> {
    const left = (await this.bucket.unfinishedUploads(this.prefix + prefix)).filter((u) =>
      basename(u.key).startsWith(namePrefix),
    );
    for (const upload of left) await this.bucket.abortUpload(upload.key, upload.uploadId);
    return left.map((upload) => upload.key.slice(this.prefix.length));
  }

  async download(key: string, path: string): Promise<void> {
    await this.bucket.download(this.prefix + key, path);
  }

  async close(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
  }
}
