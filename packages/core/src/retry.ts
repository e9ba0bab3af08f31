import { InventoryError, isRetriable } from './errors.ts';

export interface BackoffPolicy {
  /** Delay before the first retry, in ms. */
  initialMs: number;
  /** Upper bound of any single delay, in ms. */
  maxMs: number;
  /** Growth factor per attempt. */
  factor: number;
  /** Retries after the first attempt; 0 means try once. */
  retries: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 100, maxMs: 30_000, factor: 2, retries: 5 };

/**
 * "Full jitter": a uniformly random delay in [0, min(cap, initial * factor^attempt)].
 * Randomising the whole interval spreads retries of many clients that failed together,
 * so a recovering broker or API is not hit by synchronised waves.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Waits given one by one instead of a growth factor (a documented 5 s, 15 s, 45 s), each
 * shortened by up to `jitter` (a share, 0..1) at random so clients that failed together do
 * not retry in step. Its length is the number of retries.
 */
export interface RetrySchedule {
  delaysMs: number[];
  jitter: number;
}

export function scheduledDelay(
  schedule: RetrySchedule,
  attempt: number,
  random: () => number = Math.random,
): number {
  const wait = schedule.delaysMs[attempt] ?? 0;
  return Math.round(wait * (1 - schedule.jitter * random()));
}

export interface RetryOptions {
  policy?: BackoffPolicy;
  /** Instead of `policy`: the waits themselves. */
  schedule?: RetrySchedule;
  /** Decides whether an error is worth another attempt; defaults to the error's own `retriable` flag. */
  shouldRetry?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? defaultBackoff;
  const { schedule } = options;
  const retries = schedule ? schedule.delaysMs.length : policy.retries;
  const shouldRetry = options.shouldRetry ?? isRetriable;
  const sleep = options.sleep ?? delay;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= retries || !shouldRetry(error) || options.signal?.aborted) throw error;
      const wait = schedule
        ? scheduledDelay(schedule, attempt, options.random)
        : backoffDelay(policy, attempt, options.random);
      options.onRetry?.(error, attempt + 1, wait);
      await sleep(wait, options.signal);
    }
  }
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new InventoryError('ABORTED', 'operation aborted', { cause: signal.reason }));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InventoryError('ABORTED', 'operation aborted', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
