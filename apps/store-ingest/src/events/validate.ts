import {
  type InventoryEvent,
  type InventoryEventType,
  inventoryEventTypes,
  maxAbsoluteQuantity,
  quantityProblem,
} from '@inventory/codec';

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
}

export const defaultLimits: ValidationLimits = {
  maxQuantity: maxAbsoluteQuantity,
  maxFutureSkewMs: 5 * 60_000,
};

const fields = new Set(['eventId', 'type', 'sku', 'locationId', 'quantity', 'occurredAt', 'reference']);
const codePattern = /^[A-Za-z0-9._-]{1,64}$/;
// ISO-8601 date-time with an explicit offset; seconds and fractions optional.
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f]/;

/** A validated store event, before the platform adds recordedAt and source. */
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
  for (const key of Object.keys(raw)) if (!fields.has(key)) problem(key, 'unknown field');

  const { eventId, type, sku, locationId, quantity, occurredAt, reference } = raw;
  if (typeof eventId !== 'string' || eventId.length < 1 || eventId.length > 64) {
    problem('eventId', 'must be a string of 1-64 characters');
  } else if (controlCharacters.test(eventId) || eventId.trim() !== eventId) {
    problem('eventId', 'must not contain control characters or surrounding whitespace');
  }
  const knownType = typeof type === 'string' && (inventoryEventTypes as readonly string[]).includes(type);
  if (!knownType) problem('type', `must be one of ${inventoryEventTypes.join(', ')}`);
  for (const [name, value] of [
    ['sku', sku],
    ['locationId', locationId],
  ] as const) {
    if (typeof value !== 'string' || !codePattern.test(value)) {
      problem(name, "must be 1-64 characters of letters, digits, '-', '_', '.'");
    }
  }
  const quantityIssue = checkQuantity(knownType ? (type as InventoryEventType) : undefined, quantity, limits);
  if (quantityIssue) problem('quantity', quantityIssue);
  const instant = checkInstant(occurredAt, now, limits);
  if (typeof instant === 'string') problem('occurredAt', instant);
  if (reference !== undefined && reference !== null) {
    if (typeof reference !== 'string' || reference.length < 1 || reference.length > 128) {
      problem('reference', 'must be a string of 1-128 characters');
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
 * every event is. An eventId repeated within one request is refused as a client bug.
 */
export function validateEvents(
  raws: unknown[],
  now: number,
  limits: ValidationLimits = defaultLimits,
): { events: StoreEvent[]; problems: FieldProblem[] } {
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
  return problems.length > 0 ? { events: [], problems } : { events, problems };
}
