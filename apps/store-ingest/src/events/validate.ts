import {
  beyondHorizonProblem,
  clientEventIdProblem,
  codeProblem,
  type DedupPolicy,
  defaultDedupPolicy,
  type InventoryEvent,
  type InventoryEventType,
  instantPattern,
  inventoryEventTypes,
  isEventType,
  loneSurrogate,
  maxAbsoluteQuantity,
  maxReferenceLength,
  quantityProblem,
} from '@inventory/domain';

/** One refused field: which event (index in the request), which field, and why. */
export interface FieldProblem {
  index: number;
  path: string;
  message: string;
}

export interface ValidationLimits {
  /** Largest |quantity| accepted; beyond it a value is a typo or an overflow, not stock. */
  maxQuantity: number;
  /** How far occurredAt may lie ahead of the server clock (clock skew of store systems). */
  maxFutureSkewMs: number;
  /** The dedup contract: an event older than its horizon is refused (422), never doubled. */
  dedup: DedupPolicy;
}

export const defaultLimits: ValidationLimits = {
  maxQuantity: maxAbsoluteQuantity,
  maxFutureSkewMs: 5 * 60_000,
  dedup: defaultDedupPolicy,
};

const fields = new Set(['eventId', 'type', 'sku', 'locationId', 'quantity', 'occurredAt', 'reference']);

/** A validated store event, before the platform adds its identity, recordedAt and source. */
export type StoreEvent = Pick<
  InventoryEvent,
  'eventId' | 'type' | 'sku' | 'locationId' | 'quantity' | 'occurredAt'
> & {
  reference: string | null;
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkQuantity(
  type: InventoryEventType | undefined,
  quantity: unknown,
  limits: ValidationLimits,
): string | undefined {
  // Never coerced: "5" is a string, 5.0 arrives as the integer 5 from JSON.parse.
  if (typeof quantity === 'number' && Number.isInteger(quantity) && Math.abs(quantity) > limits.maxQuantity) {
    return `must be between -${limits.maxQuantity} and ${limits.maxQuantity}`;
  }
  return quantityProblem(type, quantity);
}

function checkInstant(value: unknown, now: number, limits: ValidationLimits): string | number {
  if (typeof value !== 'string' || !instantPattern.test(value)) {
    return 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-22T09:15:00+01:00';
  }
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) return 'is not a valid date-time';
  if (millis < Date.parse('2000-01-01T00:00:00Z')) return 'is before 2000-01-01';
  if (millis > now + limits.maxFutureSkewMs)
    return `is more than ${limits.maxFutureSkewMs / 1000} s in the future`;
  return millis;
}

/** Validates one event; every problem is reported, not just the first. */
export function validateEvent(
  raw: unknown,
  index: number,
  now: number,
  limits: ValidationLimits = defaultLimits,
): { event?: StoreEvent; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ index, path, message });
  if (!isObject(raw)) {
    problem('', 'must be a JSON object');
    return { problems };
  }
  // Named as sent, but bounded: a key of a megabyte is not echoed whole.
  for (const key of Object.keys(raw))
    if (!fields.has(key)) problem(key.length > 64 ? `${key.slice(0, 64)}...` : key, 'unknown field');

  const { eventId, type, sku, locationId, quantity, occurredAt, reference } = raw;
  const idProblem = clientEventIdProblem(eventId);
  if (idProblem) problem('eventId', idProblem);
  const knownType = isEventType(type);
  if (!knownType) problem('type', `must be one of ${inventoryEventTypes.join(', ')}`);
  for (const [name, value] of [
    ['sku', sku],
    ['locationId', locationId],
  ] as const) {
    const code = codeProblem(value);
    if (code) problem(name, code);
  }
  const quantityIssue = checkQuantity(knownType ? type : undefined, quantity, limits);
  if (quantityIssue) problem('quantity', quantityIssue);
  const instant = checkInstant(occurredAt, now, limits);
  if (typeof instant === 'string') problem('occurredAt', instant);
  if (reference !== undefined && reference !== null) {
    if (
      typeof reference !== 'string' ||
      reference.length < 1 ||
      reference.length > maxReferenceLength ||
      loneSurrogate.test(reference)
    ) {
      problem('reference', `must be a string of 1-${maxReferenceLength} characters`);
    }
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    event: {
      eventId: eventId as string,
      type: type as InventoryEventType,
      sku: sku as string,
      locationId: locationId as string,
      quantity: quantity as number,
      occurredAt: instant as number,
      reference: (reference as string | null | undefined) ?? null,
    },
  };
}

/**
 * All or nothing: either every event is valid and the list is returned, or every problem of
 * every event is. An eventId repeated within one request is refused as a client bug. Events
 * that are valid but older than the dedup horizon are listed apart (`beyondHorizon`): the
 * request is refused for them with its own answer (422), which names the horizon.
 */
export function validateEvents(
  raws: unknown[],
  now: number,
  limits: ValidationLimits = defaultLimits,
): { events: StoreEvent[]; problems: FieldProblem[]; beyondHorizon: FieldProblem[] } {
  const events: StoreEvent[] = [];
  const problems: FieldProblem[] = [];
  const firstIndexById = new Map<string, number>();
  raws.forEach((raw, index) => {
    const result = validateEvent(raw, index, now, limits);
    problems.push(...result.problems);
    if (!result.event) return;
    const first = firstIndexById.get(result.event.eventId);
    if (first !== undefined) {
      problems.push({
        index,
        path: 'eventId',
        message: `repeats the eventId of event ${first} in this request`,
      });
      return;
    }
    firstIndexById.set(result.event.eventId, index);
    events.push(result.event);
  });
  if (problems.length > 0) return { events: [], problems, beyondHorizon: [] };
  const beyondHorizon = events.flatMap((event, index) => {
    const old = beyondHorizonProblem(event.occurredAt, now, limits.dedup);
    return old ? [{ index, path: 'occurredAt', message: old }] : [];
  });
  return beyondHorizon.length > 0
    ? { events: [], problems, beyondHorizon }
    : { events, problems, beyondHorizon };
}
