import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bareEtag, digestsOf, multipartEtag, partRanges, s3Uri } from './checksums.ts';
import { objectStoreError } from './errors.ts';

describe('object checksums', () => {
  it('digests of a body: MD5 as hex and base64, SHA-256 as base64', () => {
    expect(digestsOf(Buffer.from('hello'))).toEqual({
      md5Hex: '5d41402abc4b2a76b9719d911017c592',
      md5Base64: 'XUFAKrxLKna5cZ2REBfFkg==',
      sha256Base64: 'LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=',
    });
  });

  it("a multipart ETag is the MD5 of the parts' MD5s and the part count", () => {
    const parts = ['part one', 'part two'].map((p) => createHash('md5').update(p).digest('hex'));
    const joined = Buffer.concat(parts.map((p) => Buffer.from(p, 'hex')));
    expect(multipartEtag(parts)).toBe(`${createHash('md5').update(joined).digest('hex')}-2`);
    expect(bareEtag('"abc-2"')).toBe('abc-2');
  });

  it('parts cover the file exactly, the last one shorter; an empty file is one empty part', () => {
    expect(partRanges(12, 5)).toEqual([
      [0, 5],
      [5, 10],
      [10, 12],
    ]);
    expect(partRanges(10, 5)).toEqual([
      [0, 5],
      [5, 10],
    ]);
    expect(partRanges(0, 5)).toEqual([[0, 0]]);
    expect(s3Uri('company-erp-backups', 'inventory-sync/x.json')).toBe(
      's3://company-erp-backups/inventory-sync/x.json',
    );
  });

  it('SDK failures become codes: the server away or failing is retriable, a refusal is not', () => {
    const sdk = (name: string, status?: number) =>
      Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    const code = (error: unknown) => {
      const e = objectStoreError('PUT s3://b/k', error);
      return [e.code, e.retriable];
    };
    expect(code(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual([
      'OBJECT_STORE_UNAVAILABLE',
      true,
    ]);
    expect(code(sdk('InternalError', 500))).toEqual(['OBJECT_STORE_UNAVAILABLE', true]);
    expect(code(sdk('SlowDown', 503))).toEqual(['OBJECT_STORE_UNAVAILABLE', true]);
    expect(code(sdk('NoSuchBucket', 404))).toEqual(['OBJECT_STORE_REFUSED', false]);
    expect(code(sdk('AccessDenied', 403))).toEqual(['OBJECT_STORE_REFUSED', false]);
    expect(code(sdk('BadDigest', 400))).toEqual(['OBJECT_CHECKSUM_MISMATCH', true]);
    expect(code(sdk('PreconditionFailed', 412))).toEqual(['OBJECT_EXISTS', false]);
    expect(objectStoreError('PUT s3://b/k', sdk('NoSuchBucket', 404)).message).toBe(
      'PUT s3://b/k: NoSuchBucket (HTTP 404): NoSuchBucket',
    );
  });
});
