import { createHash } from 'node:crypto';

/** The digests a verified write sends and expects back: MD5 (Content-MD5, the ETag) and SHA-256. */
export interface Digests {
  md5Hex: string;
  md5Base64: string;
  sha256Base64: string;
}

export function digestsOf(body: Uint8Array): Digests {
  const md5 = createHash('md5').update(body).digest();
  return {
    md5Hex: md5.toString('hex'),
    md5Base64: md5.toString('base64'),
    sha256Base64: createHash('sha256').update(body).digest('base64'),
  };
}

/**
 * The ETag S3 gives an object completed from parts: the MD5 of the parts' MD5s
 * concatenated, a dash, and the number of parts.
 */
export function multipartEtag(partMd5Hex: string[]): string {
  const joined = Buffer.concat(partMd5Hex.map((hex) => Buffer.from(hex, 'hex')));
  return `${createHash('md5').update(joined).digest('hex')}-${partMd5Hex.length}`;
}

/** An ETag without its quotes (servers send it quoted). */
export const bareEtag = (etag: string | undefined): string | undefined => etag?.replaceAll('"', '');

/** Byte ranges [start, end) of parts of `partSize` covering `size` bytes; one part at least. */
export function partRanges(size: number, partSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < size || ranges.length === 0; start += partSize)
    ranges.push([start, Math.min(size, start + partSize)]);
  return ranges;
}

/** s3://bucket/key, the address readers (Spark, pyarrow, the AWS CLI) take. */
export const s3Uri = (bucket: string, key: string): string => `s3://${bucket}/${key}`;
