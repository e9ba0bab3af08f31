import { errorMessage, InventoryError } from '@inventory/core';

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

/** Answers a retry cannot change: the request or the setup is wrong. */
const refusals = new Set([
  'NoSuchBucket',
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidBucketName',
  'InvalidArgument',
  'NotImplemented',
]);

/**
 * An SDK failure as a platform error: what a later attempt may get past (the server down,
 * a 5xx, throttling, a corrupted transfer) is retriable, a refusal is not. `what` names the
 * operation and object, e.g. "PUT s3://bucket/key".
 */
export function objectStoreError(what: string, error: unknown): InventoryError {
  if (error instanceof InventoryError) return error;
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  const name = sdk.name ?? sdk.code ?? 'Error';
  const message = `${what}: ${name}${status ? ` (HTTP ${status})` : ''}: ${errorMessage(error)}`;
  const details = { status, name };
  if (name === 'PreconditionFailed' || status === 412)
    return new InventoryError('OBJECT_EXISTS', message, { cause: error, details });
  if (name === 'BadDigest' || name === 'InvalidDigest')
    return new InventoryError('OBJECT_CHECKSUM_MISMATCH', message, { cause: error, details });
  const refused =
    refusals.has(name) ||
    (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429);
  return new InventoryError(refused ? 'OBJECT_STORE_REFUSED' : 'OBJECT_STORE_UNAVAILABLE', message, {
    cause: error,
    details,
  });
}

/** True for an answer saying the server does not implement the operation (S3Proxy's 501). */
export const notImplemented = (error: unknown): boolean => {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  return sdk.name === 'NotImplemented' || sdk.$metadata?.httpStatusCode === 501;
};
