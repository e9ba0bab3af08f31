import { errorMessage, type Logger, withTimeout } from '@inventory/core';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type FastifySchema,
} from 'fastify';
import type { Registry } from 'prom-client';
import { useErrorHandling } from './http-errors.ts';
import {
  httpServerOptions,
  limitConnectionsPerAddress,
  opsAuthorizer,
  opsRefusal,
  opsTokenOf,
} from './http-server.ts';
import type { HttpServerSettings } from './settings.ts';

/** A dependency or a state the app needs to do its work: true when it is there. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface OpsOptions {
  registry: Registry;
  /** Named checks, all of which must pass for /readyz to answer 200 (e.g. kafka, redis, group). */
  checks: Record<string, ReadinessCheck>;
  /** True once the app is stopping: /readyz answers 503 so that no new traffic is routed to it. */
  stopping?: () => boolean;
  /** Longest wait for one check; a check that takes longer counts as failed. */
  checkTimeoutMs?: number;
  /**
   * Who may read /metrics and why a check of /readyz fails (the ops token, opsAuthorizer);
   * everyone when not given.
   */
  allowed?: (request: FastifyRequest) => boolean;
}

export interface CheckResult {
  ok: boolean;
  error?: string;
}

/** Runs every check at once, each bounded by the timeout; a throw or a timeout is a failure. */
export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      try {
        const ok = await withTimeout(Promise.resolve(check()), timeoutMs, `readiness check ${name}`);
        return [name, ok ? { ok } : { ok, error: 'not ready' }];
      } catch (error) {
        return [name, { ok: false, error: errorMessage(error) }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * The operations routes every app serves, hidden from its API documentation:
 * - GET /healthz: 200 while the process runs its event loop (liveness);
 * - GET /readyz: 200 when every named check passes, else 503; the body names each check;
 * - GET /metrics: Prometheus text of the app's registry (default process metrics included).
 * With an ops token, /metrics answers only its bearer and /readyz tells others only which
 * checks fail, not why (a reason may name an address).
 */
export function opsRoutes(app: FastifyInstance, options: OpsOptions): void {
  // Once stopping, every answer ends its connection: a kept-alive connection would otherwise
  // hold the server open (closeHttp) until the client's next request or the keep-alive timeout.
  const stopping = options.stopping;
  if (stopping)
    app.addHook('onSend', async (_request, reply) => {
      if (stopping()) reply.header('connection', 'close');
    });
  // `hide` is @fastify/swagger's: the HTTP apps document their API, not these.
  const hide = { schema: { hide: true } as FastifySchema };
  const timeoutMs = options.checkTimeoutMs ?? 2_000;
  const allowed = options.allowed ?? (() => true);
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async (request, reply) => {
    if (options.stopping?.()) return reply.status(503).send({ status: 'stopping', checks: {} });
    const checks = await runChecks(options.checks, timeoutMs);
    const ready = Object.values(checks).every((c) => c.ok);
    const shown = allowed(request)
      ? checks
      : Object.fromEntries(
          Object.entries(checks).map(([name, c]) => [name, c.ok ? c : { ok: false, error: 'not ready' }]),
        );
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: shown });
  });
  app.get('/metrics', hide, async (request, reply) => {
    if (!allowed(request)) throw opsRefusal();
    return reply.type(options.registry.contentType).send(await options.registry.metrics());
  });
}

/**
 * The HTTP server of an app without an API of its own: the ops routes only, with the
 * settings' timeouts, limits and ops token.
 */
export function opsServer(
  logger: Logger,
  options: OpsOptions,
  settings: HttpServerSettings,
): FastifyInstance {
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, ...httpServerOptions(settings) });
  useErrorHandling(app);
  limitConnectionsPerAddress(app, settings.HTTP_MAX_CONNECTIONS_PER_IP);
  opsRoutes(app, { ...options, allowed: opsAuthorizer(opsTokenOf(settings)) });
  return app;
}

/**
 * Closes an HTTP server in an orderly way: no new connections, every request in flight
 * answered; connections that fall idle meanwhile are closed as they do, instead of lingering
 * for the keep-alive timeout.
 */
export async function closeHttp(app: FastifyInstance): Promise<void> {
  const idle = setInterval(() => app.server.closeIdleConnections(), 50);
  try {
    await app.close();
  } finally {
    clearInterval(idle);
  }
}
