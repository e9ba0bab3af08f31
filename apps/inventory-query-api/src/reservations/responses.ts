import type { ReservationOutcome } from '@inventory/codec';
import { ApiError } from '@inventory/service';

export interface ReservationView {
  reservationId: string;
  sku: string;
  status: ReservationOutcome['status'];
  locationId: string | null;
  quantity: number;
  available: number;
  expiresAt: string | null;
  orderId: string | null;
}

export function reservationView(outcome: ReservationOutcome): ReservationView {
  return {
    reservationId: outcome.reservationId,
    sku: outcome.sku,
    status: outcome.status,
    locationId: outcome.locationId,
    quantity: outcome.quantity,
    available: outcome.available,
    expiresAt: outcome.expiresAt === null ? null : new Date(outcome.expiresAt).toISOString(),
    orderId: outcome.orderId,
  };
}

export const decisionTimeout = (what: string) =>
  new ApiError(
    'DECISION_TIMEOUT',
    `no decision on ${what} in time; retrying with the same id is safe and returns the decision`,
    { headers: { 'retry-after': '1' } },
  );

/**
 * A reservation request's answer: 201 when confirmed, 409 with the available quantity when
 * refused. A retried id gets the reservation's status now: 200 once it was released,
 * committed or expired.
 */
export function reserveAnswer(outcome: ReservationOutcome): { status: number; body: ReservationView } {
  if (outcome.status === 'REFUSED') {
    const where = outcome.locationId ? `at ${outcome.locationId}` : 'at any one location';
    throw new ApiError(
      'INSUFFICIENT_STOCK',
      `${outcome.quantity} of ${outcome.sku} requested, ${outcome.available} available ${where}`,
      { extra: { available: outcome.available, reservation: reservationView(outcome) } },
    );
  }
  return { status: outcome.status === 'CONFIRMED' ? 201 : 200, body: reservationView(outcome) };
}

/** Release and commit: 200 when done (also when done before), 404 unknown, 409 when no longer active. */
export function changeAnswer(outcome: ReservationOutcome, wanted: 'RELEASED' | 'COMMITTED'): ReservationView {
  if (outcome.status === 'UNKNOWN')
    throw new ApiError('UNKNOWN_RESERVATION', `no reservation ${outcome.reservationId}`);
  if (outcome.status !== wanted) {
    throw new ApiError(
      'RESERVATION_NOT_ACTIVE',
      `reservation ${outcome.reservationId} is ${outcome.status}: it cannot become ${wanted}`,
      { extra: { reservation: reservationView(outcome) } },
    );
  }
  return reservationView(outcome);
}
