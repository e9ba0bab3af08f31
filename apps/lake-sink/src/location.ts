import { tmpdir } from 'node:os';
import type { Logger } from '@inventory/core';
import { Bucket, createS3Client } from '@inventory/object-store';
import type { LakeLocation } from './config.ts';
import type { LakeStore } from './store.ts';
import { FileLakeStore } from './store-file.ts';
import { S3LakeStore } from './store-s3.ts';

/** The store of the configured target. */
export function openLakeStore(
  location: LakeLocation,
  logger: Logger,
  options: { stagingDir?: string; partSizeKb?: number } = {},
): LakeStore {
  if (location.TARGET === 'file') return new FileLakeStore(location.ROOT as string);
  const bucket = new Bucket(createS3Client(location, 'LAKE_'), location.S3_BUCKET);
  return new S3LakeStore(
    bucket,
    location.S3_PREFIX,
    options.stagingDir ?? tmpdir(),
    (options.partSizeKb ?? 16 * 1024) * 1024,
    logger,
  );
}
