import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { multipartEtag } from '@inventory/object-store';
import { createTestBucket } from '@inventory/testkit';
import { describe, expect, it } from 'vitest';

/** The operations of @inventory/object-store the lake and the archive rely on, against the stack's S3Proxy. */
describe('a bucket of the S3-compatible store', () => {
  it('a verified put stores the bytes; a body that differs from its MD5 or SHA-256 is refused and not stored', async () => {
    const bucket = await createTestBucket('verified');
    const body = Buffer.from('{"items":[]}');
    expect(await bucket.putVerified('a/payload.json', body)).toEqual({
      etag: createHash('md5').update(body).digest('hex'),
      size: body.length,
    });
    expect((await bucket.get('a/payload.json')).equals(body)).toBe(true);
    const corrupt = (headers: { ContentMD5?: string; ChecksumSHA256?: string }) =>
      bucket.client.send(
        new PutObjectCommand({ Bucket: bucket.name, Key: 'a/corrupt.json', Body: body, ...headers }),
      );
    const other = Buffer.from('something else');
    await expect(corrupt({ ContentMD5: createHash('md5').update(other).digest('base64') })).rejects.toThrow(
      /BadDigest|Bad Request/,
    );
    await expect(
      corrupt({ ChecksumSHA256: createHash('sha256').update(other).digest('base64') }),
    ).rejects.toThrow(/BadDigest|Bad Request/);
    expect((await bucket.list('a/')).map((o) => o.key)).toEqual(['a/payload.json']);
  });

  it('ifAbsent refuses to replace an object (OBJECT_EXISTS) and leaves the first one', async () => {
    const bucket = await createTestBucket('absent');
    await bucket.putVerified('k.json', Buffer.from('first'), { ifAbsent: true });
    await expect(
      bucket.putVerified('k.json', Buffer.from('second'), { ifAbsent: true }),
    ).rejects.toMatchObject({
      code: 'OBJECT_EXISTS',
    });
    expect((await bucket.get('k.json')).toString()).toBe('first');
  });

  it('a large file goes up in parts, checked against the ETag of the whole; an aborted upload leaves nothing', async () => {
    const bucket = await createTestBucket('multipart');
    const dir = mkdtempSync(join(tmpdir(), 'object-store-'));
    const content = randomBytes(11 * 1024 * 1024 + 123);
    const file = join(dir, 'big.parquet');
    writeFileSync(file, content);
    expect(await bucket.uploadFile('lake/big.parquet', file, 5 * 1024 * 1024)).toBe(content.length);
    const [stored] = await bucket.list('lake/');
    expect(stored).toMatchObject({ key: 'lake/big.parquet', size: content.length });
    expect((await bucket.get('lake/big.parquet')).equals(content)).toBe(true);
    const parts = [0, 1, 2].map((i) =>
      createHash('md5')
        .update(content.subarray(i * 5 * 1024 * 1024, (i + 1) * 5 * 1024 * 1024))
        .digest('hex'),
    );
    const head = await bucket.client.send(
      new HeadObjectCommand({ Bucket: bucket.name, Key: 'lake/big.parquet' }),
    );
    expect(head.ETag).toBe(`"${multipartEtag(parts)}"`);

    // An upload interrupted after its first part: listed by prefix, not visible, then aborted.
    const created = await bucket.client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket.name, Key: 'lake/half.parquet' }),
    );
    await bucket.client.send(
      new UploadPartCommand({
        Bucket: bucket.name,
        Key: 'lake/half.parquet',
        UploadId: created.UploadId,
        PartNumber: 1,
        Body: content.subarray(0, 5 * 1024 * 1024),
      }),
    );
    const open = await bucket.unfinishedUploads('lake/');
    expect(open.map((u) => [u.key, u.uploadId])).toEqual([['lake/half.parquet', created.UploadId]]);
    expect((await bucket.list('lake/')).map((o) => o.key)).toEqual(['lake/big.parquet']);
    await bucket.abortUpload('lake/half.parquet', created.UploadId as string);
    expect(await bucket.unfinishedUploads('lake/')).toEqual([]);
    expect((await bucket.list('lake/')).map((o) => o.key)).toEqual(['lake/big.parquet']);
  });

  it('lists past a page of 1000 and removes by key; S3Proxy has no lifecycle rules (unsupported)', async () => {
    const bucket = await createTestBucket('list');
    const keys = Array.from({ length: 1_005 }, (_, i) => `p/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((key) => bucket.putVerified(key, Buffer.from(key))));
    expect((await bucket.list('p/')).map((o) => o.key)).toEqual(keys);
    await bucket.remove(keys.slice(0, 1_002));
    expect((await bucket.list('p/')).map((o) => o.key)).toEqual(keys.slice(1_002));
    expect(await bucket.ensureExpiryRule({ id: 'expire', prefix: 'p/', days: 30 })).toBe('unsupported');
  });
});
