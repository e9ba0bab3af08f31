import { backoffDelay, delay, errorMessage, isRetriable, type Logger } from '@inventory/core';
import type { EachBatchPayload } from 'kafkajs';

const backoff = { initialMs: 200, maxMs: 10_000, factor: 2, retries: Number.POSITIVE_INFINITY };

/**
 * Runs `operation` until it succeeds while a retry can help (a registry or a broker that
 * cannot be reached), backing off with jitter and heartbeating, so the batch waits instead of
 * being skipped or dead-lettered. A failure no retry can help, a stop or a lost partition
 * ends the wait with that error.
 */
export async function holdThroughOutage<T>(
  operation: () => Promise<T>,
  payload: Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>,
  logger: Logger,
  what: string,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isRetriable(error) || !payload.isRunning() || payload.isStale()) throw error;
      const wait = backoffDelay(backoff, attempt);
      logger.warn(
        { err: errorMessage(error), attempt, waitMs: wait },
        `${what} failed; the batch waits and retries`,
      );
      await delay(wait);
      await payload.heartbeat();
    }
  }
}
