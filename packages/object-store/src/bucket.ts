import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type LifecycleRule,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { InventoryError } from '@inventory/core';
import { bareEtag, digestsOf, multipartEtag, partRanges, s3Uri } from './checksums.ts';
import { notImplemented, objectStoreError } from './errors.ts';

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date | undefined;
}

export interface UnfinishedUpload {
  key: string;
  uploadId: string;
  initiated: Date | undefined;
}

/** S3 refuses to complete an upload with a smaller part but the last (EntityTooSmall); S3Proxy too. */
export const minPartSize = 5 * 1024 * 1024;

/** How retention is kept: by the server's lifecycle rule, or (where it has none) by the writer itself. */
export type ExpiryRuleOutcome = 'set' | 'present' | 'unsupported';

/**
 * One bucket through the S3 API. Every write is verified: the server checks the Content-MD5
 * (and SHA-256) it is sent and refuses a body that differs (BadDigest), and the ETag it
 * answers is checked against the MD5 computed here. A multipart upload is completed or
 * aborted, so an object is visible whole or not at all.
 */
export class Bucket {
  constructor(
    readonly client: S3Client,
    readonly name: string,
  ) {}

  uri(key: string): string {
    return s3Uri(this.name, key);
  }

  private async send<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw objectStoreError(what, error);
    }
  }

  /** Creates the bucket unless it exists. */
  async ensure(): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.name }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return;
      throw objectStoreError(`CREATE BUCKET ${this.name}`, error);
    }
  }

  /**
   * Writes `body` at `key` with its MD5 and SHA-256, checks the answer, and reads the stored
   * object's length and checksum back. `ifAbsent`: refused (OBJECT_EXISTS) when the key holds
   * an object already, so nothing another writer recorded is replaced.
   */
  async putVerified(
    key: string,
    body: Buffer,
    options: { ifAbsent?: boolean; contentType?: string } = {},
  ): Promise<{ etag: string; size: number }> {
    const digests = digestsOf(body);
    const what = `PUT ${this.uri(key)}`;
    const answer = await this.send(what, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.name,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ContentMD5: digests.md5Base64,
          ChecksumSHA256: digests.sha256Base64,
          ...(options.contentType ? { ContentType: options.contentType } : {}),
          ...(options.ifAbsent ? { IfNoneMatch: '*' } : {}),
        }),
      ),
    );
    const stored = await this.send(`HEAD ${this.uri(key)}`, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key, ChecksumMode: 'ENABLED' })),
    );
    const problems = [
      bareEtag(answer.ETag) !== digests.md5Hex && `ETag ${answer.ETag} is not the MD5 ${digests.md5Hex}`,
      answer.ChecksumSHA256 !== undefined &&
        answer.ChecksumSHA256 !== digests.sha256Base64 &&
        'the SHA-256 answered differs',
      stored.ContentLength !== body.length && `${stored.ContentLength} bytes stored, ${body.length} sent`,
      bareEtag(stored.ETag) !== digests.md5Hex && `stored ETag ${stored.ETag} differs`,
      stored.ChecksumSHA256 !== undefined &&
        stored.ChecksumSHA256 !== digests.sha256Base64 &&
        'the stored SHA-256 differs',
    ].filter((p): p is string => typeof p === 'string');
    if (problems.length > 0)
      throw new InventoryError('OBJECT_CHECKSUM_MISMATCH', `${what}: ${problems.join('; ')}`);
    return { etag: digests.md5Hex, size: body.length };
  }

  /**
   * Uploads a local file at `key`: in one verified PUT up to `partSize`, otherwise in parts
   * (each with its Content-MD5), completed only when every part is in and checked against
   * the ETag of the whole. Any failure aborts the upload, so nothing partial stays behind;
   * an abort that fails too (the server away) is handed to `onAbandoned`, to be aborted
   * later. Returns the size in bytes. Parts are `minPartSize` (5 MiB) at least.
   */
  async uploadFile(
    key: string,
    path: string,
    partSize: number,
    onAbandoned?: (upload: UnfinishedUpload) => void,
  ): Promise<number> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const read = async (start: number, end: number) => {
        const buffer = Buffer.alloc(end - start);
        await file.read(buffer, 0, buffer.length, start);
        return buffer;
      };
      if (size <= partSize) {
        await this.putVerified(key, await read(0, size));
        return size;
      }
      await this.multipart(key, partRanges(size, Math.max(minPartSize, partSize)), read, onAbandoned);
      return size;
    } finally {
      await file.close();
    }
  }

  private async multipart(
    key: string,
    ranges: [number, number][],
    read: (start: number, end: number) => Promise<Buffer>,
    onAbandoned?: (upload: UnfinishedUpload) => void,
  ): Promise<void> {
    const what = `multipart upload of ${this.uri(key)}`;
    const created = await this.send(what, () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: this.name, Key: key })),
    );
    const uploadId = created.UploadId as string;
    try {
      const parts: { PartNumber: number; ETag: string }[] = [];
      const md5s: string[] = [];
      for (const [index, [start, end]] of ranges.entries()) {
        const body = await read(start, end);
        const digests = digestsOf(body);
        const answer = await this.client.send(
          new UploadPartCommand({
            Bucket: this.name,
            Key: key,
            UploadId: uploadId,
            PartNumber: index + 1,
            Body: body,
            ContentLength: body.length,
            ContentMD5: digests.md5Base64,
          }),
        );
        if (bareEtag(answer.ETag) !== digests.md5Hex)
          throw new InventoryError(
            'OBJECT_CHECKSUM_MISMATCH',
            `${what}: part ${index + 1} has ETag ${answer.ETag}, not its MD5 ${digests.md5Hex}`,
          );
        parts.push({ PartNumber: index + 1, ETag: answer.ETag as string });
        md5s.push(digests.md5Hex);
      }
      const completed = await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.name,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      const expected = multipartEtag(md5s);
      if (bareEtag(completed.ETag) !== expected)
        throw new InventoryError(
          'OBJECT_CHECKSUM_MISMATCH',
          `${what}: completed with ETag ${completed.ETag}, expected ${expected}`,
        );
    } catch (error) {
      await this.abortUpload(key, uploadId).catch(() =>
        onAbandoned?.({ key, uploadId, initiated: undefined }),
      );
      throw objectStoreError(what, error);
    }
  }

  /** Every object under `prefix` (all pages). */
  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.send(`LIST ${this.uri(prefix)}`, () =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const o of page.Contents ?? [])
        if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }

  /** Deletes the keys (1000 a request); a key that could not be deleted fails the call. */
  async remove(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      const answer = await this.send(`DELETE ${batch.length} objects of ${this.uri('')}`, () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.name,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const failed = answer.Errors ?? [];
      if (failed.length > 0)
        throw new InventoryError(
          'OBJECT_STORE_UNAVAILABLE',
          `DELETE: ${failed.length} objects not deleted, e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`,
        );
    }
  }

  /** Multipart uploads started under `prefix` and neither completed nor aborted. */
  async unfinishedUploads(prefix: string): Promise<UnfinishedUpload[]> {
    const uploads: UnfinishedUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.send(`LIST UPLOADS ${this.uri(prefix)}`, () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.name,
            Prefix: prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        ),
      );
      for (const u of page.Uploads ?? [])
        if (u.Key && u.UploadId) uploads.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated });
      const more = page.IsTruncated === true;
      keyMarker = more ? page.NextKeyMarker : undefined;
      uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return uploads;
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    await this.send(`ABORT ${this.uri(key)}`, () =>
      this.client.send(new AbortMultipartUploadCommand({ Bucket: this.name, Key: key, UploadId: uploadId })),
    );
  }

  /** Reads an object whole. */
  async get(key: string): Promise<Buffer> {
    return this.send(`GET ${this.uri(key)}`, async () => {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return Buffer.from(
        await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
    });
  }

  /** Copies an object to a local file (a temporary name, then renamed). */
  async download(key: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.download`;
    try {
      await this.send(`GET ${this.uri(key)}`, async () => {
        const answer = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
        await pipeline(answer.Body as NodeJS.ReadableStream, createWriteStream(temporary));
      });
      await rename(temporary, path);
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /**
   * Makes sure the bucket's lifecycle holds `rule` (by its ID), keeping the other rules.
   * 'unsupported': the server has no lifecycle (S3Proxy answers 501), so the writer must
   * delete what is past retention itself.
   */
  async ensureExpiryRule(rule: { id: string; prefix: string; days: number }): Promise<ExpiryRuleOutcome> {
    let rules: LifecycleRule[] = [];
    try {
      const current = await this.client.send(
        new GetBucketLifecycleConfigurationCommand({ Bucket: this.name }),
      );
      rules = current.Rules ?? [];
    } catch (error) {
      if (notImplemented(error)) return 'unsupported';
      if ((error as { name?: string }).name !== 'NoSuchLifecycleConfiguration')
        throw objectStoreError(`GET LIFECYCLE ${this.uri('')}`, error);
    }
    const wanted: LifecycleRule = {
      ID: rule.id,
      Status: 'Enabled',
      Filter: { Prefix: rule.prefix },
      Expiration: { Days: rule.days },
    };
    const existing = rules.find((r) => r.ID === rule.id);
    if (
      existing?.Status === 'Enabled' &&
      existing.Filter?.Prefix === rule.prefix &&
      existing.Expiration?.Days === rule.days
    )
      return 'present';
    try {
      await this.client.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: this.name,
          LifecycleConfiguration: { Rules: [...rules.filter((r) => r.ID !== rule.id), wanted] },
        }),
      );
      return 'set';
    } catch (error) {
      if (notImplemented(error)) return 'unsupported';
      throw objectStoreError(`PUT LIFECYCLE ${this.uri('')}`, error);
    }
  }
}
