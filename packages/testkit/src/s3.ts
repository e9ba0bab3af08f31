import { Bucket, createS3Client, endpointSettings, type S3Client } from '@inventory/object-store';
import { uniqueName } from './names.ts';
import { stackEndpoints } from './stack.ts';

/** An app's settings for the local stack's object store, under the app's prefix (`LAKE_`, `RECON_`). */
export function s3Env(prefix: string): Record<string, string> {
  const endpoints = stackEndpoints();
  return {
    [`${prefix}S3_ENDPOINT`]: endpoints.S3_ENDPOINT,
    [`${prefix}S3_ACCESS_KEY_ID`]: endpoints.S3_ACCESS_KEY_ID,
    [`${prefix}S3_SECRET_ACCESS_KEY`]: endpoints.S3_SECRET_ACCESS_KEY,
  };
}

/** A client of the local stack's object store; `maxAttempts` 1 lets a test see each failure. */
export function testS3(maxAttempts = 3): S3Client {
  const endpoints = stackEndpoints();
  return createS3Client(
    endpointSettings(
      endpoints.S3_ENDPOINT,
      { accessKeyId: endpoints.S3_ACCESS_KEY_ID, secretAccessKey: endpoints.S3_SECRET_ACCESS_KEY },
      maxAttempts,
    ),
  );
}

/** A bucket of the local stack by name (the platform's own, e.g. the lake). */
export const testBucket = (name: string, client: S3Client = testS3()): Bucket => new Bucket(client, name);

/** A fresh bucket of this test alone (no other test sees, or prunes, its objects). */
export async function createTestBucket(what: string): Promise<Bucket> {
  const bucket = testBucket(uniqueName(`test-${what}`).toLowerCase());
  await bucket.ensure();
  return bucket;
}
