import { createHash } from 'node:crypto';
import type { ReceivedKind, ReceivedRecord } from './model.ts';

/** What a request with a known or unknown key means, Stripe-style. */
export type Attempt = 'new' | 'replayed' | 'conflict';

interface Entry {
  record: ReceivedRecord;
  fingerprint: string;
}

/**
 * JSON with object keys sorted: "identical body" means the same parameters, so a client
 * that re-serialises its retry with another key order or spacing is still replaying.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * Accepted requests by kind and key. Only accepted requests are stored: a request that was
 * refused (invalid, or failed by a rule) leaves its key free for the retry.
 */
export class IdempotencyStore {
  private readonly kinds = new Map<ReceivedKind, Map<string, Entry>>();

  /** Classifies a request; a replay is counted on the record it repeats. */
  attempt(kind: ReceivedKind, key: string, body: unknown): Attempt {
    const entry = this.kinds.get(kind)?.get(key);
    if (!entry) return 'new';
    if (entry.fingerprint !== fingerprint(body)) return 'conflict';
    entry.record.calls++;
    return 'replayed';
  }

  accept(kind: ReceivedKind, key: string, body: unknown, at: Date): void {
    let keys = this.kinds.get(kind);
    if (!keys) {
      keys = new Map();
      this.kinds.set(kind, keys);
    }
    keys.set(key, {
      record: { idempotencyKey: key, body, firstAt: at.toISOString(), calls: 1 },
      fingerprint: fingerprint(body),
    });
  }

  /** Copies in arrival order, so a caller cannot change what the simulator remembers. */
  records(kind: ReceivedKind): ReceivedRecord[] {
    return [...(this.kinds.get(kind)?.values() ?? [])].map(({ record }) => structuredClone(record));
  }

  clear(): void {
    this.kinds.clear();
  }
}
