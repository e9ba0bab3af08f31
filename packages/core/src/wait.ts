import { errorMessage, InventoryError } from './errors.ts';
import { delay } from './retry.ts';

export interface WaitForOptions {
  /**
   * What is being waited for, used in the timeout message; a function is called at the
   * deadline, so the message can show the state reached (e.g. how many messages arrived).
   */
  description: string | (() => string);
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, or fails with
 * TIMEOUT after the deadline, naming what was awaited and the last error seen.
 * This is the only way tests and scripts wait: a condition with a deadline, never a bare sleep.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const suffix = lastError === undefined ? '' : ` (last error: ${errorMessage(lastError)})`;
      throw new InventoryError(
        'TIMEOUT',
        `timed out after ${options.timeoutMs} ms waiting for ${typeof options.description === 'function' ? options.description() : options.description}${suffix}`,
        { cause: lastError },
      );
    }
    await delay(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
}

/** Rejects with a retriable TIMEOUT error if `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new InventoryError('TIMEOUT', `${what} did not complete within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
