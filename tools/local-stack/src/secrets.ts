import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StackSecrets {
  redisPassword: string;
  postgresPassword: string;
  rabbitmqPassword: string;
}

/**
 * Passwords of the local services, generated on first `up` and kept in the stack's
 * git-ignored home with mode 0600: nothing secret is committed, and nothing is logged.
 */
export function loadSecrets(home: string): StackSecrets {
  const file = join(home, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StackSecrets;
  mkdirSync(home, { recursive: true });
  const fresh = (): string => randomBytes(18).toString('base64url');
  const secrets: StackSecrets = {
    redisPassword: fresh(),
    postgresPassword: fresh(),
    rabbitmqPassword: fresh(),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}
