import type { SkuAvailability } from '@inventory/codec';
import {
  type JournalEdit,
  journalEdit,
  type LocationChange,
  updateAvailability,
} from '@inventory/read-model';
import {
  changeKey,
  type FoldOptions,
  type FoldResult,
  fold,
  type LocationState,
  type SequencedEvent,
  type SkuState,
} from '../fold/fold.ts';
import { noChanges, type StepChanges } from './changes.ts';

export interface EventsStepInput {
  events: SequencedEvent[];
  /** The touched locations of each sku (mutated into the new state) and each sku's stored total. */
  state: Map<string, SkuState>;
  totals: Map<string, SkuAvailability | undefined>;
  /** eventIds applied in an earlier step. */
  seen: (eventId: string) => boolean;
  foldOptions: FoldOptions;
  regionOf: (locationId: string) => string;
}

export interface EventsStepResult {
  fold: FoldResult;
  changes: StepChanges;
}

/**
 * One batch of events, pure: folded into the touched locations, and every changed sku's
 * total updated by difference (every figure is a sum, asOf a maximum of growing times), so a
 * sku held at hundreds of locations costs the batch only what it touched.
 */
export function eventsStep(input: EventsStepInput): EventsStepResult {
  const { state, totals, regionOf } = input;
  const before = new Map<string, LocationState | undefined>();
  for (const { event } of input.events) {
    const key = changeKey(event.sku, event.locationId);
    if (!before.has(key)) before.set(key, state.get(event.sku)?.get(event.locationId));
  }
  const result = fold(state, input.events, input.seen, input.foldOptions);
  const changes = noChanges();
  const bySku = new Map<string, LocationChange[]>();
  for (const key of result.changed) {
    const [sku, locationId] = key.split('\u0000') as [string, string];
    const after = state.get(sku)?.get(locationId);
    if (!after) continue;
    const previous = before.get(key);
    // Appended in place: a sku held at hundreds of locations changes them all in one step.
    const list = bySku.get(sku);
    if (list) list.push({ locationId, before: previous, after });
    else bySku.set(sku, [{ locationId, before: previous, after }]);
    if (previous === undefined) {
      const held = changes.assortment.get(locationId);
      if (held) held.push(sku);
      else changes.assortment.set(locationId, [sku]);
    }
  }
  for (const [sku, list] of bySku) {
    const journals = new Map<string, JournalEdit>();
    for (const { locationId, before, after } of list) {
      if (before?.journal === after.journal) continue;
      const edit = journalEdit(before?.journal ?? [], after.journal ?? []);
      if (edit.drop !== 0 || edit.append !== '') journals.set(locationId, edit);
    }
    changes.skus.set(sku, {
      locations: new Map(list.map((c) => [c.locationId, c.after])),
      total: updateAvailability(totals.get(sku), sku, list, regionOf),
      journals,
    });
  }
  return { fold: result, changes };
}
