import type { AddressInfo } from 'node:net';
import { createLogger, InventoryError, type Logger } from '@inventory/core';
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import { registerAdminRoutes } from './admin.ts';
import { erpRouteOf, guardBusinessRoutes } from './guard.ts';
import { ErpError, sendError, toErpError } from './http-errors.ts';
import type { ErpStats, InventorySnapshot, ReceivedAlert, ReceivedKind, ReceivedRecord } from './model.ts';
import { registerBusinessRoutes } from './routes.ts';
import type { FailureRule } from './rules.ts';
import { SimulatorState } from './state.ts';

export interface ErpSimulatorOptions {
  /** Default 127.0.0.1: /_admin has no authentication. */
  host?: string;
  /** 0 (default) = an ephemeral port, for tests. */
  port?: number;
  /** Bearer token required on the business routes. */
  token: string;
  inventory?: InventorySnapshot;
  /** Default: warnings and errors only, so test output stays readable. */
  logger?: Logger;
}

export interface ErpSimulator {
  url: string;
  close(): Promise<void>;
  /** Replaces all rules; throws an InventoryError coded INVALID_RULES naming the field. */
  setRules(rules: FailureRule[]): void;
  clearRules(): void;
  setInventory(snapshot: InventorySnapshot): void;
  /** Serves these bytes as GET /inventory, unvalidated (bad records, broken payloads). */
  setInventoryPayload(payload: Buffer | string): void;
  stats(): ErpStats;
  received(kind: ReceivedKind): ReceivedRecord[];
  alerts(): ReceivedAlert[];
  /** Forgets received records, alerts, stats and rules; the inventory stays. */
  reset(): void;
}

const bodyLimit = 1024 * 1024;

export async function startErpSimulator(options: ErpSimulatorOptions): Promise<ErpSimulator> {
  if (typeof options.token !== 'string' || options.token === '') {
    throw new InventoryError('CONFIG_INVALID', 'the ERP simulator needs a non-empty bearer token');
  }
  const state = new SimulatorState(options.token, options.inventory);
  const logger = options.logger ?? createLogger('erp-simulator', 'warn');
  // Aborts slowed requests when the simulator stops, so close() never waits out a long delay.
  const stopping = new AbortController();
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // A retry storm in a demo would otherwise log two lines per request; /_admin/stats counts them.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
  });

  // Bodies stay text until a route parses them: failure rules match the raw bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  app.setErrorHandler((error, request, reply) => {
    const erpError = toErpError(error, error instanceof InventoryError && error.code === 'ABORTED');
    if (erpRouteOf(request)) countRefusal(state.stats, erpError.status);
    if (erpError.code === 'INTERNAL_ERROR')
      request.log.error({ err: erpError.cause ?? erpError }, erpError.message);
    return sendError(reply, erpError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new ErpError(404, 'NOT_FOUND', `no route ${request.method} ${request.url}`)),
  );
  app.addHook('preClose', async () => stopping.abort());

  guardBusinessRoutes(app, state, stopping.signal);
  registerBusinessRoutes(app, state);
  registerAdminRoutes(app, state);

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    close: () => app.close(),
    setRules: (rules) => void state.setRules(rules),
    clearRules: () => state.rules.clear(),
    setInventory: (snapshot) => void state.setInventory(snapshot),
    setInventoryPayload: (payload) => state.setInventoryPayload(Buffer.from(payload)),
    stats: () => state.statsSnapshot(),
    received: (kind) => state.received(kind),
    alerts: () => state.alerts(),
    reset: () => state.reset(),
  };
}

function countRefusal(stats: ErpStats, status: number): void {
  if (status === 401) stats.unauthorized++;
  else if (status === 409) stats.conflicts++;
  else if (status === 400 || status === 413 || status === 415 || status === 422) stats.invalid++;
}
