import { delay, InventoryError } from '@inventory/core';

export interface FetchedSnapshot {
  /** The payload exactly as the ERP sent it: archived byte for byte. */
  payload: Buffer;
  fetchedAt: number;
  /** Duration of the successful call. */
  latencyMs: number;
  attempts: number;
}

export interface ErpClientOptions {
  url: string;
  token: string;
  timeoutMs: number;
  /** Wait before each retry; its length is how many retries. */
  retryDelaysMs: number[];
  signal?: AbortSignal;
  onRetry?: (attempt: number, waitMs: number, error: InventoryError) => void;
  random?: () => number;
}

const retriableStatus = (status: number) =>
  status === 408 || status === 429 || (status >= 500 && status !== 501);

/**
 * GET /inventory with the bearer token. Connection errors, timeouts, 408, 429 and 5xx are
 * retried after the configured waits (5 s, 15 s, 45 s by default), each shortened by up to a
 * fifth at random so that many sites failing together do not retry in step; any other
 * answer fails at once, since repeating it cannot help (401: the token is wrong).
 */
export async function fetchInventory(options: ErpClientOptions): Promise<FetchedSnapshot> {
  const url = `${options.url.replace(/\/+$/, '')}/inventory`;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    let failure: InventoryError;
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
        signal: AbortSignal.any(signals),
      });
      const payload = Buffer.from(await response.arrayBuffer());
      if (response.ok)
        return { payload, fetchedAt: Date.now(), latencyMs: Date.now() - started, attempts: attempt };
      failure = new InventoryError(
        'ERP_REFUSED',
        `GET /inventory answered HTTP ${response.status}: ${payload.toString('utf8', 0, 300)}`,
        { retriable: retriableStatus(response.status), details: { status: response.status } },
      );
    } catch (error) {
      if (options.signal?.aborted)
        throw new InventoryError('ABORTED', 'the job was stopped', { cause: error });
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      failure = new InventoryError(
        timedOut ? 'ERP_TIMEOUT' : 'ERP_UNREACHABLE',
        timedOut
          ? `GET /inventory gave no answer within ${options.timeoutMs} ms`
          : `GET /inventory failed: ${error instanceof Error ? `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}` : String(error)}`,
        { cause: error, retriable: true },
      );
    }
    const wait = options.retryDelaysMs[attempt - 1];
    if (!failure.retriable || wait === undefined) {
      throw new InventoryError(failure.code, `${failure.message} (attempt ${attempt})`, {
        cause: failure,
        details: { attempts: attempt },
      });
    }
    const waitMs = Math.round(wait * (1 - 0.2 * random()));
    options.onRetry?.(attempt, waitMs, failure);
    await delay(waitMs, options.signal);
  }
}
