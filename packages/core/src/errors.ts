/**
 * Every failure the platform reports carries a stable code from this closed set, the
 * underlying cause, and whether repeating the same operation can succeed. `retriable` is a
 * property of the code, never of a call site: callers decide retries from it, never from
 * message text. Codes that reach an HTTP client carry the status they are answered with;
 * the same codes name dead-letter reasons (headers `dlq-reason`, metrics label `code`).
 */
export const errorCodes = {
  // Configuration and start-up: fixing them takes a change, not a retry.
  CONFIG_INVALID: { retriable: false },
  STARTUP_CHECK_FAILED: { retriable: false },
  USAGE: { retriable: false },
  ABORTED: { retriable: false },

  // Services the platform depends on: a later attempt may find them back.
  KAFKA_UNAVAILABLE: { retriable: true, status: 503 },
  REGISTRY_UNAVAILABLE: { retriable: true, status: 503 },
  REDIS_UNAVAILABLE: { retriable: true, status: 503 },
  TIMEOUT: { retriable: true, status: 504 },
  PRODUCER_FENCED: { retriable: false },
  TOPIC_MISSING: { retriable: false },
  TOPIC_UNKNOWN: { retriable: false },
  TOPIC_PARTITIONS_MISMATCH: { retriable: false },
  CATALOG_INVALID: { retriable: false },

  // Serialisation (codec).
  CODEC_MALFORMED: { retriable: false },
  CODEC_BAD_SCHEMA_ID: { retriable: false },
  CODEC_INVALID_VALUE: { retriable: false },
  CODEC_INCOMPATIBLE: { retriable: false },
  SCHEMA_UNKNOWN: { retriable: false },
  SCHEMA_REFUSED: { retriable: false },
  SCHEMA_INVALID: { retriable: false },

  // A record refused by a consumer: its dead-letter reason.
  EMPTY_VALUE: { retriable: false },
  WRONG_KEY: { retriable: false },
  WRONG_PARTITION: { retriable: false },
  UNDECODABLE: { retriable: false },
  IMPOSSIBLE_VALUE: { retriable: false },
  FOREIGN_EVENT_ID: { retriable: false },
  FOREIGN_DATA_CENTRE: { retriable: false },
  BEYOND_DEDUP_HORIZON: { retriable: false, status: 422 },
  MALFORMED_JSON: { retriable: false, status: 400 },
  MALFORMED_NDJSON: { retriable: false, status: 400 },
  MISSING_FIELD: { retriable: false },
  WRONG_TYPE: { retriable: false },
  TOO_LONG: { retriable: false },
  BAD_SKU: { retriable: false },
  BAD_WAREHOUSE: { retriable: false },
  BAD_TXN_ID: { retriable: false },
  BAD_QUANTITY: { retriable: false },
  BAD_SIGN: { retriable: false },
  BAD_TIME: { retriable: false },
  BAD_LENGTH: { retriable: false },
  NOT_NUMERIC: { retriable: false },
  UNKNOWN_RECORD_TYPE: { retriable: false },
  UNKNOWN_MOVE_CODE: { retriable: false },
  ENCODE_FAILED: { retriable: false },
  NOT_A_CHANGE_EVENT: { retriable: false },
  TRUNCATE: { retriable: false },
  UNKNOWN_CLIENT: { retriable: false },
  UNKNOWN_PLANT: { retriable: false },
  COMMAND_INVALID: { retriable: false },

  // Deliveries to the ERP and the suppliers.
  RECEIVER_UNAVAILABLE: { retriable: true },
  RECEIVER_TIMEOUT: { retriable: true },
  RECEIVER_UNREACHABLE: { retriable: true },
  RECEIVER_REJECTED: { retriable: false },
  RETRIES_EXHAUSTED: { retriable: false },
  SUPPLIERS_INVALID: { retriable: false },

  // Object storage (S3 API): the lake and the ERP archive.
  OBJECT_STORE_UNAVAILABLE: { retriable: true },
  OBJECT_STORE_REFUSED: { retriable: false },
  OBJECT_CHECKSUM_MISMATCH: { retriable: true },
  OBJECT_EXISTS: { retriable: false },

  // The reconciliation job and the ERP it reads.
  ERP_UNAVAILABLE: { retriable: true },
  ERP_REFUSED: { retriable: false },
  SNAPSHOT_INVALID: { retriable: false },
  JOB_TIMEOUT: { retriable: false },

  // HTTP answers of the platform's APIs (and the ERP simulator's).
  INVALID_REQUEST: { retriable: false, status: 400 },
  VALIDATION_FAILED: { retriable: false, status: 400 },
  UNAUTHENTICATED: { retriable: false, status: 401 },
  INVALID_CREDENTIALS: { retriable: false, status: 401 },
  MISSING_SCOPE: { retriable: false, status: 403 },
  FORBIDDEN_LOCATION: { retriable: false, status: 403 },
  NOT_FOUND: { retriable: false, status: 404 },
  UNKNOWN_SKU: { retriable: false, status: 404 },
  UNKNOWN_SKU_AT_LOCATION: { retriable: false, status: 404 },
  UNKNOWN_RESERVATION: { retriable: false, status: 404 },
  INSUFFICIENT_STOCK: { retriable: false, status: 409 },
  LOCATION_HOMED_ELSEWHERE: { retriable: false, status: 421 },
  RESERVATION_NOT_ACTIVE: { retriable: false, status: 409 },
  IDEMPOTENCY_KEY_REUSED: { retriable: false, status: 409 },
  PAYLOAD_TOO_LARGE: { retriable: false, status: 413 },
  TOO_MANY_EVENTS: { retriable: false, status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { retriable: false, status: 415 },
  UNPROCESSABLE: { retriable: false, status: 422 },
  RATE_LIMITED: { retriable: true, status: 429 },
  /** A request not received whole within the server's request or header timeout (a slow client). */
  REQUEST_TIMEOUT: { retriable: true, status: 408 },
  /** The request's header section is larger than the server reads. */
  HEADERS_TOO_LARGE: { retriable: false, status: 431 },
  /** One client address holds the most connections the server allows it. */
  TOO_MANY_CONNECTIONS: { retriable: true, status: 429 },
  /** One API key holds the most change streams it may. */
  TOO_MANY_STREAMS: { retriable: true, status: 429 },
  /** The instance holds the most change streams it serves; another instance or a later try may. */
  STREAMS_EXHAUSTED: { retriable: true, status: 503 },
  INTERNAL_ERROR: { retriable: false, status: 500 },
  SHUTTING_DOWN: { retriable: true, status: 503 },
  /** A proxy (the console's server) could not reach the API it forwards to. */
  UPSTREAM_UNAVAILABLE: { retriable: true, status: 502 },
  DECISION_TIMEOUT: { retriable: true, status: 504 },

  // The local stack and its tools.
  STACK_PREREQUISITE_MISSING: { retriable: false },
  STACK_START_FAILED: { retriable: false },
  STACK_STOP_FAILED: { retriable: false },
  STACK_SPAWN_FAILED: { retriable: false },
  STACK_FETCH_FAILED: { retriable: true },
  STACK_NOT_RUNNING: { retriable: false },
  /** A part of the stack runs where it must be stopped (reset). */
  STACK_RUNNING: { retriable: false },
  /** A port a part of the stack needs is held by another process (up). */
  STACK_PORT_TAKEN: { retriable: false },
  /** Two parts of the stacks are set to one port (up). */
  STACK_PORT_CLASH: { retriable: false },
  SEED_INVALID: { retriable: false },

  // The deployment's tooling (tools/deploy).
  MANIFEST_INVALID: { retriable: false },
} as const satisfies Record<string, { retriable: boolean; status?: number }>;

export type ErrorCode = keyof typeof errorCodes;

export const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && Object.hasOwn(errorCodes, value);

/** The HTTP status a code is answered with: its own, or 500 for one that is not an answer. */
export function httpStatusOf(code: ErrorCode): number {
  return (errorCodes[code] as { status?: number }).status ?? 500;
}

export interface InventoryErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class InventoryError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: InventoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InventoryError';
    this.code = code;
    this.retriable = errorCodes[code].retriable;
    this.details = options.details;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, retriable: this.retriable, details: this.details };
  }
}

export function isRetriable(error: unknown): boolean {
  if (error instanceof InventoryError) return error.retriable;
  // kafkajs marks transient broker/network errors with `retriable`.
  if (typeof error === 'object' && error !== null && 'retriable' in error) {
    return (error as { retriable: unknown }).retriable === true;
  }
  return false;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** `CODE: message` for logs and start-up failures; the code of a foreign error is its name. */
export function describeError(error: unknown): string {
  if (error instanceof InventoryError) return `${error.code}: ${error.message}`;
  return errorMessage(error);
}
