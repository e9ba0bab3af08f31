import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { objectStoreError } from './errors.ts';

export type { S3Client } from '@aws-sdk/client-s3';

import { credentialsOf, type ObjectStoreSettings } from './settings.ts';

/**
 * The S3 client of an app. Checksums are the platform's own (Content-MD5 and SHA-256 on every
 * write, checked by Bucket), so the SDK adds none of its own and sends plain bodies, which
 * every S3-compatible server accepts. Timeouts bound a request to a server that stopped
 * answering, so a caller's retry can take over.
 */
export function createS3Client(settings: ObjectStoreSettings, prefix = ''): S3Client {
  const credentials = credentialsOf(settings, prefix);
  return new S3Client({
    region: settings.S3_REGION,
    ...(settings.S3_ENDPOINT ? { endpoint: settings.S3_ENDPOINT } : {}),
    forcePathStyle: settings.S3_FORCE_PATH_STYLE,
    ...(credentials ? { credentials } : {}),
    maxAttempts: settings.S3_MAX_ATTEMPTS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
  });
}

/** The buckets the key pair sees: a signed request, so it also proves the credentials. */
export async function bucketNames(client: S3Client): Promise<string[]> {
  try {
    const answer = await client.send(new ListBucketsCommand({}));
    return (answer.Buckets ?? []).flatMap((b) => (b.Name ? [b.Name] : []));
  } catch (error) {
    throw objectStoreError('LIST BUCKETS', error);
  }
}
