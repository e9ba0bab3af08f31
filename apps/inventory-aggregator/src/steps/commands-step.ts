import type { ReservationCommand } from '@inventory/codec';
import type { StoredReservation } from '@inventory/read-model';
import { skuAvailability } from '@inventory/read-model';
import type { SkuState } from '../fold/fold.ts';
import { decide } from '../reservations/decide.ts';
import { noChanges, type StepChanges } from './changes.ts';

export interface CommandsStepInput {
  commands: ReservationCommand[];
  /** Every location of each sku the commands and the due reservations name (mutated). */
  state: Map<string, SkuState>;
  /** The stored reservations the commands name, and the confirmed ones due by the newest command. */
  reservations: Map<string, StoredReservation>;
  clock: number;
  regionOf: (locationId: string) => string;
}

export interface CommandsStepResult {
  changes: StepChanges;
  clock: number;
}

/**
 * One batch of reservation commands, pure: decided in offset order against the state the
 * events built (decide.ts), each changed sku's total recomputed from all its locations
 * (a reservation may choose among all of them, so all were read anyway).
 */
export function commandsStep(input: CommandsStepInput): CommandsStepResult {
  const result = decide(input.state, input.reservations, input.commands, input.clock);
  const changes = noChanges();
  const changedLocations = new Map<string, Set<string>>();
  for (const key of result.changed) {
    const [sku, locationId] = key.split('\u0000') as [string, string];
    changedLocations.set(sku, (changedLocations.get(sku) ?? new Set()).add(locationId));
  }
  for (const [sku, locationIds] of changedLocations) {
    const locations: SkuState = input.state.get(sku) ?? new Map();
    const changed: SkuState = new Map();
    for (const id of locationIds) {
      const state = locations.get(id);
      if (state) changed.set(id, state);
    }
    // Reservations change what is reserved, never a journal.
    changes.skus.set(sku, {
      locations: changed,
      total: skuAvailability(sku, locations, input.regionOf),
      journals: new Map(),
    });
  }
  changes.reservations = [...result.reservations.values()];
  changes.outcomes = result.outcomes;
  changes.sales = result.sales;
  return { changes, clock: result.clock };
}
