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
  /** SCRAM-SHA-512 password of each Kafka principal (kafka-users.ts), the administrator's included. */
  kafkaPasswords: Record<string, string>;
}

export type FlatSecret = Exclude<keyof StackSecrets, 'kafkaPasswords'>;

const password = () => randomBytes(18).toString('base64url');

const generators: Record<FlatSecret, () => string> = {
  redisPassword: password,
  redisAggregatorPassword: password,
  redisQueryApiPassword: password,
  redisReconciliationPassword: password,
  postgresPassword: password,
  rabbitmqPassword: password,
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
export function loadSecrets(home: string, kafkaPrincipals: readonly string[]): StackSecrets {
  const file = join(home, 'secrets.json');
  const stored: Partial<StackSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const missing = (Object.keys(generators) as FlatSecret[]).filter((name) => !stored[name]);
  const kafkaPasswords = { ...stored.kafkaPasswords };
  const missingKafka = kafkaPrincipals.filter((principal) => !kafkaPasswords[principal]);
  if (missing.length === 0 && missingKafka.length === 0) return stored as StackSecrets;
  for (const name of missing) stored[name] = generators[name]();
  for (const principal of missingKafka) kafkaPasswords[principal] = password();
  stored.kafkaPasswords = kafkaPasswords;
  mkdirSync(home, { recursive: true });
  writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return stored as StackSecrets;
}

/** Every secret by a name of its own, for the log scan: `kafka <principal>` for the Kafka passwords. */
export function namedSecrets(secrets: StackSecrets): Record<string, string> {
  const { kafkaPasswords, ...flat } = secrets;
  return {
    ...flat,
    ...Object.fromEntries(
      Object.entries(kafkaPasswords).map(([principal, value]) => [`kafka ${principal}`, value]),
    ),
  };
}
