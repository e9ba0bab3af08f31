import { secretValue, setting, type z } from '@inventory/config';
import { InventoryError } from '@inventory/core';

/**
 * Where an app's objects are kept, named alike in every app that uses object storage
 * (`<PREFIX>_S3_ENDPOINT`, ...). Any S3-compatible server: the local stack runs S3Proxy;
 * without an endpoint the SDK talks to AWS in the region. Path-style addressing
 * (`<endpoint>/<bucket>/<key>`) is what S3-compatible servers answer without DNS per bucket.
 */
export const objectStoreSettings = {
  S3_ENDPOINT: setting.url().optional(),
  S3_REGION: setting.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: setting.string().optional(),
  S3_SECRET_ACCESS_KEY: setting.string().optional(),
  S3_SECRET_ACCESS_KEY_FILE: setting.string().optional(),
  S3_FORCE_PATH_STYLE: setting.boolean().default(true),
  /** Attempts of one request inside the SDK (throttling, a dropped connection), before the caller's own retries. */
  S3_MAX_ATTEMPTS: setting.positiveInt().default(3),
};

export type ObjectStoreSettings = z.infer<z.ZodObject<typeof objectStoreSettings>>;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The key pair from the settings, or undefined to let the SDK find one (an instance role,
 * the environment). A key id without its secret, or the other way round, is a mistake.
 */
export function credentialsOf(settings: ObjectStoreSettings, prefix: string): S3Credentials | undefined {
  const secretAccessKey = secretValue(settings.S3_SECRET_ACCESS_KEY, settings.S3_SECRET_ACCESS_KEY_FILE);
  const accessKeyId = settings.S3_ACCESS_KEY_ID;
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined)
    throw new InventoryError(
      'CONFIG_INVALID',
      `invalid configuration: ${prefix}S3_ACCESS_KEY_ID and ${prefix}S3_SECRET_ACCESS_KEY (or _FILE) go together`,
    );
  return { accessKeyId, secretAccessKey };
}

/** Settings naming an endpoint and a key pair, the rest at their defaults (the local stack and its tests). */
export function endpointSettings(
  endpoint: string,
  keys: S3Credentials,
  maxAttempts = 3,
): ObjectStoreSettings {
  return {
    S3_ENDPOINT: endpoint,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: keys.accessKeyId,
    S3_SECRET_ACCESS_KEY: keys.secretAccessKey,
    S3_SECRET_ACCESS_KEY_FILE: undefined,
    S3_FORCE_PATH_STYLE: true,
    S3_MAX_ATTEMPTS: maxAttempts,
  };
}
