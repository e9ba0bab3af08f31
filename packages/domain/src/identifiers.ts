/**
 * Identifiers and their limits. A sku, a locationId and a clientId are codes: short,
 * printable, without separators the platform uses in keys (`:`, `|`, `{`, `}`, spaces), so
 * they can be put into Redis keys, Kafka keys and eventIds without escaping.
 */
export const codePattern = /^[A-Za-z0-9._-]{1,64}$/;
export const codeRule = "1-64 characters of letters, digits, '-', '_', '.'";

export const isCode = (value: unknown): value is string =>
  typeof value === 'string' && codePattern.test(value);

/** Why `value` is not a code (sku, locationId, clientId, warehouse), or undefined. */
export function codeProblem(value: unknown): string | undefined {
  return isCode(value) ? undefined : `must be ${codeRule}`;
}

/** The id a client gives an event: its own idempotency key, unique per client. */
export const maxClientEventIdLength = 64;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f]/;
/** A UTF-16 surrogate without its pair (`u` makes a well-formed pair one code point). */
export const loneSurrogate = /\p{Cs}/u;

export function clientEventIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 1 || value.length > maxClientEventIdLength)
    return `must be a string of 1-${maxClientEventIdLength} characters`;
  if (controlCharacters.test(value) || value.trim() !== value)
    return 'must not contain control characters or surrounding whitespace';
  // UTF-8 (Avro, Kafka keys) has no lone surrogate: two different ones would become one id.
  if (loneSurrogate.test(value)) return 'must be well-formed Unicode (a lone surrogate)';
  return undefined;
}

/**
 * The longest canonical eventId: a namespace, a clientId and a client's id
 * (`store:<64>:<64>`), or the platform's own composite ids (SAP: LSN, client, material,
 * plant, storage location), with room to spare.
 */
export const maxEventIdLength = 200;

/** A free-text reference (till receipt, delivery note), carried as sourceRef. */
export const maxReferenceLength = 128;

/**
 * A reservationId, chosen by the web shop: a code that may also hold ':' (an order's lines
 * are reserved as `<orderId>:<lineNo>`).
 */
export const reservationIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
export const reservationIdRule = "1-128 characters of letters, digits, '-', '_', '.', ':'";

/** An orderId of the web shop: a code of up to 100 characters. */
export const orderIdPattern = /^[A-Za-z0-9._-]{1,100}$/;

/** An instant as the platform's APIs take it: ISO-8601 with an offset, seconds and fractions optional. */
export const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
