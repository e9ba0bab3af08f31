import { randomBytes } from 'node:crypto';

/** A name no other test run uses, so tests never see each other's topics, groups or keys. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** A topic name that follows the platform's naming rule, unique to this run. */
export function uniqueTopic(what: string): string {
  return `inventory.test-${what}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}.v1`;
}
