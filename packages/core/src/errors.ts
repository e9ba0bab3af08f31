/**
 * Every failure the platform reports carries a stable machine-readable code, the
 * underlying cause, and whether repeating the same operation can succeed. Callers
 * decide retries from `retriable`, never from message text.
 */
export interface InventoryErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  details?: Record<string, unknown>;
}

export class InventoryError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: InventoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InventoryError';
    this.code = code;
    this.retriable = options.retriable ?? false;
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
