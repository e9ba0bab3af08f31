import type { InventoryEvent, Reservation, ReservationOutcome, SkuAvailability } from '@inventory/codec';
import { stockLevelOf } from '@inventory/read-model';
import type { LocationState } from '../fold/fold.ts';
import type { OutputValues, StepChanges } from '../steps/changes.ts';
import type { Progress } from './publisher.ts';

/** What one publication carries: the values, the outbox entries it covers, the progress they reflect. */
export interface Publication {
  values: OutputValues;
  entries: string[];
  progress: Progress;
}

/**
 * The outputs of the steps a partition committed since its last publication, coalesced per
 * key: a location x sku, a sku's total and a reservation changed by several steps is
 * published once, with its newest value (the compacted topics keep only the newest value of
 * a key anyway, and every value is absolute and versioned). Outcomes and reservation sales
 * are kept each, in order. A hot sku sold a hundred times in the window costs one record.
 */
export class PendingOutputs {
  private skus = new Map<string, { locations: Map<string, LocationState>; total: SkuAvailability }>();
  private reservations = new Map<string, Reservation>();
  private outcomes: ReservationOutcome[] = [];
  private sales: InventoryEvent[] = [];
  private entries: string[] = [];
  private progress: Progress | undefined;
  private firstStagedAt: number | undefined;

  constructor(private readonly partition: number) {}

  /** When the oldest pending output was staged (undefined when nothing is pending). */
  get since(): number | undefined {
    return this.firstStagedAt;
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  /**
   * Whether a request waits for what is pending: a reservation's outcome, which the query API
   * answers its caller with. Such outputs are published without the linger.
   */
  get awaited(): boolean {
    return this.outcomes.length > 0;
  }

  /** Adds a committed step: its changes, its outbox entry and the progress after it. */
  stage(changes: StepChanges, entry: string, progress: Progress, now: number): void {
    for (const [sku, change] of changes.skus) {
      const pending = this.skus.get(sku);
      if (!pending) {
        this.skus.set(sku, { locations: new Map(change.locations), total: change.total });
        continue;
      }
      for (const [locationId, state] of change.locations) pending.locations.set(locationId, state);
      pending.total = change.total;
    }
    for (const r of changes.reservations) this.reservations.set(r.reservationId, r);
    for (const o of changes.outcomes) this.outcomes.push(o);
    for (const s of changes.sales) this.sales.push(s);
    this.entries.push(entry);
    this.progress = { ...progress };
    this.firstStagedAt ??= now;
  }

  /**
   * A later step with nothing to publish: the pending publication carries its progress (it
   * changed nothing published, so a restore from these records may resume after it).
   */
  advance(progress: Progress): void {
    if (!this.empty) this.progress = { ...progress };
  }

  /** Everything pending as one publication, and nothing pending after it. */
  take(): Publication | undefined {
    if (this.empty || !this.progress) return undefined;
    const stock = [];
    const availability = [];
    for (const [sku, { locations, total }] of this.skus) {
      for (const [locationId, state] of locations)
        stock.push(stockLevelOf(sku, locationId, state, this.partition));
      availability.push(total);
    }
    const publication: Publication = {
      values: {
        stock,
        availability,
        reservations: [...this.reservations.values()],
        outcomes: this.outcomes,
        sales: this.sales,
      },
      entries: this.entries,
      progress: this.progress,
    };
    this.clear();
    return publication;
  }

  /** Forgets what is pending (its outbox entries are published from Redis instead). */
  clear(): void {
    this.skus = new Map();
    this.reservations = new Map();
    this.outcomes = [];
    this.sales = [];
    this.entries = [];
    this.progress = undefined;
    this.firstStagedAt = undefined;
  }
}
