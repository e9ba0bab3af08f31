import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StackSecrets {
  /** Of Redis' administrator (its `default` user); each app has its own user and password. */
  redisPassword: string;
  redisAggregatorPassword: string;
  redisQueryApiPassword: string;
  redisReconciliationPassword: string;
  postgresPassword: string;
  rabbitmqPassword: string;
  /** The object store's key pair (S3Proxy's identity and credential). */
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
}

const generators: Record<keyof StackSecrets, () => string> = {
  redisPassword: () => randomBytes(18).toString('base64url'),
  redisAggregatorPassword: () => randomBytes(18).toString('base64url'),
  redisQueryApiPassword: () => randomBytes(18).toString('base64url'),
  redisReconciliationPassword: () => randomBytes(18).toString('base64url'),
  postgresPassword: () => randomBytes(18).toString('base64url'),
  rabbitmqPassword: () => randomBytes(18).toString('base64url'),
  // Shaped like AWS key ids (20 upper-case characters), which some clients check.
  s3AccessKeyId: () => `INV${randomBytes(9).toString('hex').toUpperCase().slice(0, 17)}`,
  s3SecretAccessKey: () => randomBytes(30).toString('base64url'),
};

/**
 * Passwords and keys of the local services, generated on first `up` and kept in the stack's
 * git-ignored home with mode 0600: nothing secret is committed, and nothing is logged. A
 * secret a newer part needs is added to an existing file; the others stay as they are (the
 * services' data was made with them).
 */
export function loadSecrets(home: string): StackSecrets {
  const file = join(home, 'secrets.json');
  const stored: Partial<StackSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const missing = (Object.keys(generators) as (keyof StackSecrets)[]).filter((name) => !stored[name]);
  if (missing.length === 0) return stored as StackSecrets;
  for (const name of missing) stored[name] = generators[name]();
  mkdirSync(home, { recursive: true });
  writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return stored as StackSecrets;
}
