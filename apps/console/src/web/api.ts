import type { Matrix, Vector } from './prom.ts';
import { SseParser } from './sse.ts';

const keyItem = 'inventory-console.api-key';

/**
 * The API key the user typed: in sessionStorage (this tab only, gone when it closes), never in
 * the page's source, a cookie or localStorage.
 */
export const apiKey = {
  get: (): string => sessionStorage.getItem(keyItem) ?? '',
  set: (key: string) => sessionStorage.setItem(keyItem, key),
  forget: () => sessionStorage.removeItem(keyItem),
};

/** An answer of the platform's one error body ({"error": {code, message}}), or a network failure. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function problemOf(response: Response): Promise<ApiProblem> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    return new ApiProblem(
      response.status,
      body.error?.code ?? 'HTTP_ERROR',
      body.error?.message ?? response.statusText,
    );
  } catch {
    return new ApiProblem(response.status, 'HTTP_ERROR', `${response.status} ${response.statusText}`);
  }
}

const authorization = (): Record<string, string> => ({ authorization: `Bearer ${apiKey.get()}` });

/** GET a query API path (e.g. `/v1/locations`) through the console's server. */
export async function query<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(`/api/query${path}`, {
    headers: authorization(),
    ...(signal ? { signal } : {}),
  });
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as T;
}

/** Prometheus' answer of a query: `data` on success. */
async function prometheus<T>(
  path: string,
  params: Record<string, string | number>,
  signal?: AbortSignal,
): Promise<T> {
  const search = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const response = await fetch(`/api/prometheus/api/v1/${path}?${search}`, signal ? { signal } : {});
  const body = (await response.json().catch(() => ({}))) as { status?: string; data?: T; error?: string };
  if (!response.ok || body.status !== 'success' || !body.data)
    throw new ApiProblem(
      response.status,
      'PROMETHEUS',
      body.error ?? `Prometheus answered ${response.status}`,
    );
  return body.data;
}

export const rangeQuery = (
  expr: string,
  range: { start: number; end: number; step: number },
  signal?: AbortSignal,
): Promise<Matrix> => prometheus<Matrix>('query_range', { query: expr, ...range }, signal);

export const instantQuery = (expr: string, signal?: AbortSignal): Promise<Vector> =>
  prometheus<Vector>('query', { query: expr }, signal);

/**
 * The wait before attempt `attempt + 1` of a read that failed (the change feed, the master
 * data): 1 s, twice as long after each next failure, at most 15 s. Ends early when `signal`
 * aborts.
 */
export function retryPause(attempt: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.min(1_000 * 2 ** attempt, 15_000));
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Follows the change feed of `skus` until `signal` aborts: each `availability` event to
 * `onChange`; reconnects after a break with Last-Event-ID, so nothing is missed.
 * `onState` says whether the feed is connected.
 */
export async function followChanges(
  skus: readonly string[],
  onChange: (change: unknown) => void,
  onState: (connected: boolean) => void,
  signal: AbortSignal,
): Promise<void> {
  const parser = new SseParser();
  const search = new URLSearchParams(skus.map((sku) => ['sku', sku]));
  let failures = 0;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { ...authorization(), accept: 'text/event-stream' };
      if (parser.lastEventId) headers['last-event-id'] = parser.lastEventId;
      const response = await fetch(`/api/query/v1/availability/changes?${search}`, { headers, signal });
      if (!response.ok || !response.body) throw await problemOf(response);
      onState(true);
      failures = 0;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value))
          if (event.event === 'availability') onChange(JSON.parse(event.data));
      }
    } catch (error) {
      if (signal.aborted) break;
      // A refused key does not get better by retrying.
      if (error instanceof ApiProblem && (error.status === 401 || error.status === 403)) {
        onState(false);
        throw error;
      }
    }
    onState(false);
    if (signal.aborted) break;
    await retryPause(failures++, signal);
  }
}
