import { errorMessage, InventoryError, retry } from '@inventory/core';

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
  onRetry?: (attempt: number, waitMs: number, error: unknown) => void;
  random?: () => number;
}

const retriableStatus = (status: number) =>
  status === 408 || status === 429 || (status >= 500 && status !== 501);

/** One GET /inventory: the payload, or an error that says whether another try can help. */
async function fetchOnce(url: string, options: ErpClientOptions): Promise<Buffer> {
  try {
    const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
      signal: AbortSignal.any(signals),
    });
    const payload = Buffer.from(await response.arrayBuffer());
    if (response.ok) return payload;
    throw new InventoryError(
      retriableStatus(response.status) ? 'ERP_UNAVAILABLE' : 'ERP_REFUSED',
      `GET /inventory answered HTTP ${response.status}: ${payload.toString('utf8', 0, 300)}`,
      { details: { status: response.status } },
    );
  } catch (error) {
    if (error instanceof InventoryError) throw error;
    if (options.signal?.aborted) throw new InventoryError('ABORTED', 'the job was stopped', { cause: error });
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new InventoryError(
      'ERP_UNAVAILABLE',
      timedOut
        ? `GET /inventory gave no answer within ${options.timeoutMs} ms`
        : `GET /inventory failed: ${errorMessage(error)}${cause}`,
      { cause: error },
    );
  }
}

/**
 * GET /inventory with the bearer token. Connection errors, timeouts, 408, 429 and 5xx are
 * retried after the configured waits (5 s, 15 s, 45 s by default), each shortened by up to a
 * fifth at random so that many sites failing together do not retry in step; any other
 * answer fails at once, since repeating it cannot help (401: the token is wrong).
 */
export async function fetchInventory(options: ErpClientOptions): Promise<FetchedSnapshot> {
  const url = `${options.url.replace(/\/+$/, '')}/inventory`;
  let attempts = 0;
  try {
    return await retry(
      async () => {
        attempts++;
        const started = Date.now();
        const payload = await fetchOnce(url, options);
        return { payload, fetchedAt: Date.now(), latencyMs: Date.now() - started, attempts };
      },
      {
        schedule: { delaysMs: options.retryDelaysMs, jitter: 0.2 },
        ...(options.random ? { random: options.random } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (error, attempt, waitMs) => options.onRetry?.(attempt, waitMs, error),
      },
    );
  } catch (error) {
    const code = error instanceof InventoryError ? error.code : 'ERP_UNAVAILABLE';
    throw new InventoryError(code, `${errorMessage(error)} (attempt ${attempts})`, {
      cause: error,
      details: { attempts },
    });
  }
}
