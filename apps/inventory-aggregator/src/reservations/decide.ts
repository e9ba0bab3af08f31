import type { ReservationCommand, ReservationOutcome } from '@inventory/codec';
import { type InventoryEvent, platformEventId } from '@inventory/domain';
import type { StoredReservation } from '@inventory/read-model';
import { changeKey, type LocationState, reservationSaleRef, type SkuState } from '../fold/fold.ts';

export interface DecideResult {
  /** `${sku}\u0000${locationId}` of every location x sku whose reserved changed. */
  changed: Set<string>;
  /** Reservations created or changed, by id. */
  reservations: Map<string, StoredReservation>;
  outcomes: ReservationOutcome[];
  /** SALEs of committed reservations, for the canonical stream. */
  sales: InventoryEvent[];
  clock: number;
}

/** Reservation statuses that hold stock; every other one is final. */
export const isActive = (r: StoredReservation) => r.status === 'CONFIRMED';

const availableAt = (state: LocationState | undefined) => (state ? state.onHand - state.reserved : 0);

/**
 * The documented rule for a reservation without a location: the location with the most
 * available that covers the whole quantity (ties: the smallest locationId), so one line
 * ships from one place and the largest stocks are drawn down first.
 */
export function chooseLocation(
  sku: SkuState,
  quantity: number,
): { locationId: string | null; available: number } {
  let best: { locationId: string | null; available: number } = { locationId: null, available: 0 };
  for (const [locationId, state] of [...sku].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const available = availableAt(state);
    if (available > best.available) best = { locationId, available };
  }
  return best.available >= quantity ? best : { locationId: null, available: Math.max(0, best.available) };
}

/**
 * Decides reservation commands in offset order against `state` (mutated). Before each
 * command the clock moves to its issuedAt and every confirmed reservation due by then
 * expires, so a reservation sees the stock that expiries gave back. `reservations` holds
 * the stored records the commands name and the ones due to expire. Pure apart from the
 * mutation: the same inputs give the same decisions, so a replay after a crash is exact.
 */
export function decide(
  state: Map<string, SkuState>,
  reservations: Map<string, StoredReservation>,
  commands: ReservationCommand[],
  startClock: number,
): DecideResult {
  const result: DecideResult = {
    changed: new Set(),
    reservations: new Map(),
    outcomes: [],
    sales: [],
    clock: startClock,
  };
  const skuState = (sku: string) => {
    let s = state.get(sku);
    if (!s) {
      s = new Map();
      state.set(sku, s);
    }
    return s;
  };
  // Every change is a new version, so a consumer of the compacted reservations topic can
  // tell a newer record from an older one.
  const store = (r: StoredReservation) => {
    const stored = { ...r, version: (reservations.get(r.reservationId)?.version ?? 0) + 1 };
    reservations.set(r.reservationId, stored);
    result.reservations.set(r.reservationId, stored);
  };
  const addReserved = (r: StoredReservation, quantity: number) => {
    const location = skuState(r.sku).get(r.locationId as string);
    if (!location) return;
    skuState(r.sku).set(r.locationId as string, {
      ...location,
      reserved: Math.max(0, location.reserved + quantity),
      version: location.version + 1,
    });
    result.changed.add(changeKey(r.sku, r.locationId as string));
  };
  const outcome = (r: StoredReservation, requestId: string | null): ReservationOutcome => ({
    reservationId: r.reservationId,
    requestId,
    sku: r.sku,
    status: r.status,
    locationId: r.locationId,
    quantity: r.quantity,
    available: r.available,
    expiresAt: r.expiresAt,
    // When the reservation got its current status: a retry replays the same record.
    decidedAt: r.decidedAt,
    orderId: r.orderId,
  });
  const expireDue = () => {
    const due = [...reservations.values()]
      .filter((r) => isActive(r) && r.expiresAt !== null && r.expiresAt <= result.clock)
      .sort((a, b) => (a.expiresAt as number) - (b.expiresAt as number));
    for (const r of due) {
      const expired: StoredReservation = { ...r, status: 'EXPIRED', decidedAt: result.clock };
      addReserved(r, -r.quantity);
      store(expired);
      result.outcomes.push(outcome(expired, null));
    }
  };

  for (const command of commands) {
    result.clock = Math.max(result.clock, command.issuedAt);
    expireDue();
    if (command.type === 'TICK') continue;
    const existing = reservations.get(command.reservationId);
    if (command.type === 'RESERVE') {
      if (existing) {
        // The idempotency key: the first decision stands, whatever the retry carries.
        result.outcomes.push(outcome(existing, command.requestId));
        continue;
      }
      const sku = skuState(command.sku);
      const choice = command.locationId
        ? { locationId: command.locationId, available: availableAt(sku.get(command.locationId)) }
        : chooseLocation(sku, command.quantity);
      const confirmed =
        command.quantity > 0 && choice.locationId !== null && choice.available >= command.quantity;
      const reservation: StoredReservation = {
        reservationId: command.reservationId,
        sku: command.sku,
        locationId: choice.locationId,
        quantity: command.quantity,
        status: confirmed ? 'CONFIRMED' : 'REFUSED',
        available: choice.available,
        expiresAt: confirmed ? result.clock + command.ttlMs : null,
        decidedAt: result.clock,
        orderId: command.orderId,
        version: 0,
      };
      if (confirmed) addReserved(reservation, command.quantity);
      store(reservation);
      result.outcomes.push(outcome(reservation, command.requestId));
      continue;
    }
    if (!existing) {
      result.outcomes.push({
        reservationId: command.reservationId,
        requestId: command.requestId,
        sku: command.sku,
        status: 'UNKNOWN',
        locationId: null,
        quantity: 0,
        available: 0,
        expiresAt: null,
        decidedAt: result.clock,
        orderId: command.orderId,
      });
      continue;
    }
    if (!isActive(existing)) {
      // Release and commit are idempotent; on a final reservation they report its status.
      result.outcomes.push(outcome(existing, command.requestId));
      continue;
    }
    if (command.type === 'RELEASE') {
      const released: StoredReservation = {
        ...existing,
        status: 'RELEASED',
        expiresAt: null,
        decidedAt: result.clock,
      };
      addReserved(existing, -existing.quantity);
      store(released);
      result.outcomes.push(outcome(released, command.requestId));
    } else {
      // The units stay reserved until the sale below is folded: available never flickers up.
      const committed: StoredReservation = {
        ...existing,
        status: 'COMMITTED',
        expiresAt: null,
        decidedAt: result.clock,
      };
      store(committed);
      result.sales.push({
        eventId: platformEventId('WEBSHOP', existing.reservationId),
        type: 'SALE',
        sku: existing.sku,
        locationId: existing.locationId as string,
        quantity: existing.quantity,
        occurredAt: result.clock,
        recordedAt: result.clock,
        source: 'WEBSHOP',
        sourceRef: reservationSaleRef(existing.reservationId),
        clientId: null,
        clientEventId: null,
      });
      result.outcomes.push(outcome(committed, command.requestId));
    }
  }
  // Expiries due by the last command's time, also when the batch ends with it.
  expireDue();
  return result;
}

/**
 * A TICK: moves the clock of the partition it is sent to (expiring what is due by
 * `issuedAt`) on partitions without other commands. Names no reservation.
 */
export function tickCommand(issuedAt: number): ReservationCommand {
  return {
    type: 'TICK',
    reservationId: '',
    sku: '',
    locationId: null,
    quantity: 0,
    ttlMs: 0,
    issuedAt,
    orderId: null,
    requestId: '',
  };
}
