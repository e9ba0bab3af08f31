/**
 * What one HTTP call to a receiving API came to. Whether a retry can help is decided here,
 * once, from the status or the transport error, never from message text elsewhere:
 *
 * - 2xx: delivered. A replay of an accepted Idempotency-Key (200 with Idempotent-Replayed)
 *   is delivered too: the receiver applied it once, earlier.
 * - Retriable: 408 Request Timeout, 425 Too Early, 429 Too Many Requests, every 5xx except
 *   501 and 505 (which say the request can never work), connection errors and our own
 *   timeout. The receiver may succeed later without the record changing.
 * - Not retriable: every other 4xx (400 malformed, 401/403 credentials, 404, 409 key reused
 *   with another body, 413, 422 invalid): the same request gets the same answer, so it goes
 *   to the dead-letter topic at once, for a fix and a redrive.
 */
import type { ErrorCode } from '@inventory/core';
export type Outcome =
  | { kind: 'delivered'; status: number; replayed: boolean }
  | { kind: 'failed'; retriable: boolean; code: ErrorCode; message: string; status: number | undefined };

const retriableStatuses = new Set([408, 425, 429]);
const permanentServerStatuses = new Set([501, 505]);

export function isRetriableStatus(status: number): boolean {
  if (retriableStatuses.has(status)) return true;
  return status >= 500 && status <= 599 && !permanentServerStatuses.has(status);
}

export function outcomeOfResponse(status: number, replayed: boolean, bodyText: string): Outcome {
  if (status >= 200 && status <= 299) return { kind: 'delivered', status, replayed };
  const retriable = isRetriableStatus(status);
  return {
    kind: 'failed',
    retriable,
    code: retriable ? 'RECEIVER_UNAVAILABLE' : 'RECEIVER_REJECTED',
    message: `HTTP ${status}${bodyText ? `: ${bodyText.slice(0, 300)}` : ''}`,
    status,
  };
}

/** A call that got no answer: refused, reset, DNS, or past our deadline. All retriable. */
export function outcomeOfError(error: unknown, timeoutMs: number): Outcome {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      kind: 'failed',
      retriable: true,
      code: 'RECEIVER_TIMEOUT',
      message: `no answer within ${timeoutMs} ms`,
      status: undefined,
    };
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const detail = [error instanceof Error ? error.message : String(error), cause?.message]
    .filter(Boolean)
    .join(': ');
  return {
    kind: 'failed',
    retriable: true,
    code: 'RECEIVER_UNREACHABLE',
    message: detail,
    status: undefined,
  };
}
