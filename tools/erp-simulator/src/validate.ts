import { ErpError } from './http-errors.ts';
import type {
  InventoryItem,
  InventorySnapshot,
  PurchaseOrder,
  PurchaseOrderLine,
  SoldQuantity,
} from './model.ts';

// ISO-8601 date-time with an explicit offset: an ERP books instants, a local time would be ambiguous.
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
// Printable ASCII, as Stripe allows; a key is echoed in headers and logs.
const idempotencyKeyPattern = /^[\x20-\x7e]{1,200}$/;

type Fields = Record<string, unknown>;

/**
 * Validation reads one field at a time and stops at the first problem: the caller needs
 * the field named, and a simulator gains nothing from listing every problem.
 */
class Reader {
  constructor(
    private readonly code: ValidationCode,
    private readonly fields: Fields,
    private readonly path: string,
  ) {}

  static of(code: ValidationCode, value: unknown, path: string): Reader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw fieldError(code, path || 'body', 'must be a JSON object');
    }
    return new Reader(code, value as Fields, path);
  }

  name(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  fail(key: string, problem: string): never {
    throw fieldError(this.code, this.name(key), problem);
  }

  raw(key: string): unknown {
    return this.fields[key];
  }

  text(key: string, expected = 'a non-empty string'): string {
    const value = this.fields[key];
    if (typeof value !== 'string' || value.trim() === '') this.fail(key, `must be ${expected}`);
    return value;
  }

  /** Never coerced: "5" is a string; 5.0 arrives from JSON.parse as the integer 5. */
  integer(key: string, min?: number): number {
    const value = this.fields[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(key, 'must be an integer');
    if (min !== undefined && value < min) this.fail(key, `must be an integer >= ${min}`);
    return value;
  }

  instant(key: string): string {
    const value = this.fields[key];
    if (typeof value !== 'string' || !instantPattern.test(value) || Number.isNaN(Date.parse(value))) {
      this.fail(key, 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-22T09:15:00Z');
    }
    return value;
  }

  /** Present but possibly null: an anonymous order says so, a missing field is a client bug. */
  textOrNull(key: string): string | null {
    return this.fields[key] === null ? null : this.text(key, 'a non-empty string or null');
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.fields[key];
    if (value !== undefined && typeof value !== 'boolean') this.fail(key, 'must be a boolean');
    return value;
  }

  list(key: string): unknown[] {
    const value = this.fields[key];
    if (!Array.isArray(value)) this.fail(key, 'must be an array');
    return value;
  }
}

/** A body that breaks the ERP's rules is 422; an inventory snapshot set by a test, 400. */
type ValidationCode = 'INVALID_BODY' | 'INVALID_INVENTORY';

function fieldError(code: ValidationCode, field: string, problem: string): ErpError {
  return new ErpError(code === 'INVALID_BODY' ? 422 : 400, code, `${field} ${problem}`, {}, { field });
}

export function validatePurchaseOrder(body: unknown): PurchaseOrder {
  const order = Reader.of('INVALID_BODY', body, '');
  const orderId = order.text('orderId');
  const customerRef = order.textOrNull('customerRef');
  const rawLines = order.list('lines');
  if (rawLines.length === 0) order.fail('lines', 'must contain at least one line');
  const seen = new Set<number>();
  const lines = rawLines.map((raw, index): PurchaseOrderLine => {
    const line = Reader.of('INVALID_BODY', raw, `lines[${index}]`);
    const lineNo = line.integer('lineNo', 1);
    // The ERP addresses order items by number; two items with one number cannot both be booked.
    if (seen.has(lineNo)) line.fail('lineNo', `repeats line number ${lineNo}`);
    seen.add(lineNo);
    return {
      lineNo,
      sku: line.text('sku'),
      locationId: line.text('locationId'),
      quantity: line.integer('quantity', 1),
      reservationId: line.text('reservationId'),
    };
  });
  return { orderId, customerRef, lines, confirmedAt: order.instant('confirmedAt') };
}

export function validateSoldQuantity(body: unknown): SoldQuantity {
  const report = Reader.of('INVALID_BODY', body, '');
  const sku = report.text('sku');
  const supplierId = report.text('supplierId');
  const periodStart = report.instant('periodStart');
  const periodEnd = report.instant('periodEnd');
  if (Date.parse(periodEnd) <= Date.parse(periodStart)) report.fail('periodEnd', 'must be after periodStart');
  return {
    sku,
    supplierId,
    periodStart,
    periodEnd,
    sold: report.integer('sold', 0),
    returned: report.integer('returned', 0),
  };
}

/** Checks a snapshot and keeps only its known fields, in a fixed order, so its bytes are reproducible. */
export function validateInventorySnapshot(body: unknown, now: () => Date): Required<InventorySnapshot> {
  const snapshot = Reader.of('INVALID_INVENTORY', body, '');
  const asOf = snapshot.raw('asOf') === undefined ? now().toISOString() : snapshot.instant('asOf');
  const items = snapshot.list('items').map((raw, index): InventoryItem => {
    const item = Reader.of('INVALID_INVENTORY', raw, `items[${index}]`);
    const known: InventoryItem = {
      sku: item.text('sku'),
      locationId: item.text('locationId'),
      // Not bounded below: SAP plants can be configured to allow negative stock.
      qty: item.integer('qty'),
    };
    const discontinued = item.optionalBoolean('discontinued');
    return discontinued === undefined ? known : { ...known, discontinued };
  });
  return { asOf, items };
}

/** The Idempotency-Key header, or a problem saying why it cannot be one. */
export function idempotencyKeyProblem(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return 'send an Idempotency-Key header';
  if (typeof header !== 'string' || !idempotencyKeyPattern.test(header)) {
    return 'Idempotency-Key must be 1 to 200 printable ASCII characters';
  }
  return undefined;
}
