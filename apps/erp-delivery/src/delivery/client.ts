import { type Outcome, outcomeOfError, outcomeOfResponse } from './outcome.ts';
import type { DeliveryRequest, Destination } from './requests.ts';

export type Send = (request: DeliveryRequest) => Promise<Outcome>;

export interface HttpSenderOptions {
  /** Bearer token per destination; never logged. */
  tokens: Record<Destination, string | undefined>;
  timeoutMs: number;
}

/** One POST per call, bounded by a deadline, with the record's idempotency key. */
export function httpSender(options: HttpSenderOptions): Send {
  return async (request) => {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': request.idempotencyKey,
    };
    const token = options.tokens[request.destination];
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      // The body is read (and bounded) even on success so the connection can be reused.
      const text = (await response.text()).slice(0, 2000);
      return outcomeOfResponse(response.status, response.headers.get('idempotent-replayed') === 'true', text);
    } catch (error) {
      return outcomeOfError(error, options.timeoutMs);
    }
  };
}
