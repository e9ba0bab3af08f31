import { performance } from 'node:perf_hooks';
import { errorMessage, type Logger } from '@inventory/core';
import type { Cluster, Redis } from 'ioredis';

export interface ConnectionLog {
  error(error: unknown, node?: string): void;
  ready(): void;
}

/**
 * What a Redis client's connection does, in the app's log. ioredis emits 'error' at every
 * failed connection attempt, several a second while Redis is down, and with no listener prints
 * each to stderr with its stack, outside the JSON log. Here a failure is a warning at most
 * once every `everyMs`, with how many were not logged since; the connection's return after a
 * logged failure is a line too. A connection that keeps dropping and coming back writes at
 * most those two lines per `everyMs`. Commands fail meanwhile as the client fails them
 * (redisOf): this only reports.
 */
export function connectionLog(
  logger: Logger,
  everyMs = 10_000,
  now: () => number = () => performance.now(),
): ConnectionLog {
  let loggedAt: number | undefined;
  let unlogged = 0;
  /** A failure was logged and the connection has not been ready since. */
  let reported = false;
  return {
    error(error, node) {
      const at = now();
      if (loggedAt !== undefined && at - loggedAt < everyMs) {
        unlogged++;
        return;
      }
      const fields = { err: errorMessage(error), ...(node ? { node } : {}) };
      if (loggedAt === undefined)
        logger.warn(fields, 'Redis connection failed; commands fail until it is back');
      else logger.warn({ ...fields, unlogged }, 'Redis connection failing');
      loggedAt = at;
      unlogged = 0;
      reported = true;
    },
    ready() {
      if (!reported) return;
      logger.info({ unlogged }, 'Redis connection back');
      reported = false;
    },
  };
}

/**
 * Reports the client's connection failures and returns through `logger` (connectionLog); for
 * a cluster, a node's too ('node error', with the node's address, which holds no password).
 */
export function logRedisConnection<C extends Redis | Cluster>(
  client: C,
  logger: Logger,
  everyMs?: number,
): C {
  const log = connectionLog(logger, everyMs);
  client.on('error', (error: unknown) => log.error(error));
  client.on('node error', (error: unknown, node: string) => log.error(error, node));
  client.on('ready', () => log.ready());
  return client;
}
