import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '@inventory/core';
import { IdempotencyStore } from './idempotency.ts';
import {
  type ErpStats,
  erpRoutes,
  type InventorySnapshot,
  type ReceivedAlert,
  type ReceivedKind,
  type ReceivedRecord,
  receivedKinds,
} from './model.ts';
import { type FailureRule, FailureRules, parseRules } from './rules.ts';
import { validateInventorySnapshot } from './validate.ts';

const counters = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;

function emptyStats(): ErpStats {
  return {
    requests: counters(erpRoutes),
    accepted: counters(receivedKinds),
    duplicates: counters(receivedKinds),
    conflicts: 0,
    invalid: 0,
    unauthorized: 0,
    failuresInjected: 0,
    alerts: 0,
  };
}

/** Everything the simulator remembers; the programmatic API and /_admin both act on it. */
export class SimulatorState {
  readonly store = new IdempotencyStore();
  readonly rules = new FailureRules();
  stats: ErpStats = emptyStats();
  private alertLog: ReceivedAlert[] = [];
  private inventory = Buffer.alloc(0);
  private readonly tokenHash: Buffer;

  constructor(
    token: string,
    inventory: InventorySnapshot = { items: [] },
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tokenHash = Buffer.from(hashToken(token), 'hex');
    this.setInventory(inventory);
  }

  /** Compares hashes: equal length, so timingSafeEqual applies whatever the caller sent. */
  authorizes(token: string): boolean {
    return timingSafeEqual(Buffer.from(hashToken(token), 'hex'), this.tokenHash);
  }

  setRules(rules: unknown): FailureRule[] {
    const parsed = parseRules(rules);
    this.rules.set(parsed);
    return parsed;
  }

  /**
   * Serialised once here, not per request: 100 000 items are served from the stored bytes,
   * and every GET returns the very same bytes, which tests compare with an archive.
   */
  setInventory(snapshot: unknown): { asOf: string; items: number; bytes: number } {
    const { asOf, items } = validateInventorySnapshot(snapshot, this.now);
    this.inventory = Buffer.from(JSON.stringify({ asOf, items }), 'utf8');
    return { asOf, items: items.length, bytes: this.inventory.length };
  }

  /** Served as given, unvalidated: an ERP that sends bad records, or something that is not a snapshot. */
  setInventoryPayload(payload: Buffer): void {
    this.inventory = Buffer.from(payload);
  }

  inventoryBytes(): Buffer {
    return this.inventory;
  }

  recordAlert(text: string, body: unknown): void {
    this.alertLog.push({ text, body, at: this.now().toISOString() });
    this.stats.alerts++;
  }

  alerts(): ReceivedAlert[] {
    return structuredClone(this.alertLog);
  }

  received(kind: ReceivedKind): ReceivedRecord[] {
    return this.store.records(kind);
  }

  statsSnapshot(): ErpStats {
    return structuredClone(this.stats);
  }

  /** Forgets what was received and the rules; the inventory stays, it is configuration. */
  reset(): void {
    this.store.clear();
    this.rules.clear();
    this.alertLog = [];
    this.stats = emptyStats();
  }
}
