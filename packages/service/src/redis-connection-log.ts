import { errorMessage, type Logger } from '@inventory/core';
import type { Cluster, Redis } from 'ioredis';

export interface ConnectionLog {
  error(error: unknown): void;
  ready(): void;
}

/**
 * What a Redis client's connection does, in the app's log. ioredis emits 'error' at every
 * failed connection attempt, several a second while Redis is down, and with no listener prints
 * each to stderr with its stack, outside the JSON log. Here the first error after a working
 * connection is a warning; while the failure lasts, one more at most every `everyMs`, with how
 * many were not logged since; the connection's return is logged once. Commands fail meanwhile
 * as the client fails them (redisOf): this only reports.
 */
export function connectionLog(logger: Logger, everyMs = 10_000, now: () => number = Date.now): ConnectionLog {
  let failing = false;
  let loggedAt = 0;
  let unlogged = 0;
  return {
    error(error) {
      const at = now();
      if (failing && at - loggedAt < everyMs) {
        unlogged++;
        return;
      }
      if (failing) logger.warn({ err: errorMessage(error), unlogged }, 'Redis still unreachable');
      else
        logger.warn({ err: errorMessage(error) }, 'Redis connection failed; commands fail until it is back');
      failing = true;
      loggedAt = at;
      unlogged = 0;
    },
    ready() {
      if (!failing) return;
      logger.info({ unlogged }, 'Redis connection back');
      failing = false;
      unlogged = 0;
    },
  };
}

/** Reports the client's connection failures and returns through `logger` (connectionLog). */
export function logRedisConnection<C extends Redis | Cluster>(
  client: C,
  logger: Logger,
  everyMs?: number,
): C {
  const log = connectionLog(logger, everyMs);
  client.on('error', (error: unknown) => log.error(error));
  client.on('ready', () => log.ready());
  return client;
}
