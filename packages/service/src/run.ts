import { createLogger, describeError, type Logger } from '@inventory/core';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { closeHttp, opsServer, type ReadinessCheck } from './ops.ts';
import { Resources } from './resources.ts';
import type { BaseSettings } from './settings.ts';
import { runShutdown, type ShutdownStep } from './shutdown.ts';

/** What an app is handed besides its settings and clients. */
export interface ServiceContext {
  logger: Logger;
  /** Where the clients register as they are opened; closed newest first after the app stopped. */
  resources: Resources;
  /** True from the first stop signal on (/readyz answers 503 from then). */
  stopping(): boolean;
  /** Stops the process with exit code 1: a failure the app cannot recover from. */
  fail(error: unknown): void;
}

/**
 * The context of an app built outside runService, in the foreground (a command-line run, a
 * unit test): it is never stopping, and a failure the app reports is thrown.
 */
export function foregroundContext(logger: Logger, resources = new Resources()): ServiceContext {
  return {
    logger,
    resources,
    stopping: () => false,
    fail: (error) => {
      throw error;
    },
  };
}

/** A running app as the shell drives it. */
export interface Service {
  /** Its metrics (/metrics), the default process metrics included. */
  registry: Registry;
  /** What /readyz checks, by name. */
  checks: Record<string, ReadinessCheck>;
  /**
   * An HTTP app's server (httpApp: its API with the ops routes); without one the shell
   * serves the ops routes on HTTP_PORT.
   */
  http?: FastifyInstance;
  /** Begins intake (consumers join, schedules run) once the server listens. */
  start?(): Promise<void>;
  /**
   * Stops intake and finishes the work in flight, committing what was done. An HTTP app
   * closes its server here (no new requests, the ones in flight answered).
   */
  stop?(): Promise<void>;
}

/** Opens an app's clients from its settings, each registered in context.resources as it is opened. */
export type ClientsOpener<S, C> = (settings: S, context: ServiceContext) => Promise<C>;

/** Builds an app from its settings and its opened clients; tests build it against the real services. */
export type AppBuilder<S, C, A extends Service> = (
  settings: S,
  clients: C,
  context: ServiceContext,
) => A | Promise<A>;

/** An app that answers HTTP itself: its API beside the ops routes, on one server. */
export interface HttpService<M> extends Service {
  http: FastifyInstance;
  metrics: M;
  /** Closes the server: no new requests; the ones in flight are answered, open event streams end. */
  stop(): Promise<void>;
}

/**
 * An HTTP app as the shell runs it, from its server, metrics and readiness checks. Its stop()
 * closes the server: no new connections, requests in flight answered (their work awaited
 * before they answer), idle kept-alive connections ended; clients are closed after it.
 */
export function httpService<M extends { registry: Registry }>(
  http: FastifyInstance,
  metrics: M,
  checks: Record<string, ReadinessCheck>,
): HttpService<M> {
  return { http, registry: metrics.registry, checks, metrics, stop: () => closeHttp(http) };
}

export interface ServiceDefinition<S extends BaseSettings, C, A extends Service = Service> {
  name: string;
  /** Parses the environment once (unknown or invalid settings fail by name). */
  settings(env: Record<string, string | undefined>): S;
  clients: ClientsOpener<S, C>;
  app: AppBuilder<S, C, A>;
}

/** An app's definition with its settings, clients and app types inferred (src/service.ts of each app). */
export function defineService<S extends BaseSettings, C, A extends Service>(
  definition: ServiceDefinition<S, C, A>,
): ServiceDefinition<S, C, A> {
  return definition;
}

/**
 * The one way an app runs, the whole of its main.ts:
 * 1. parse the settings (a problem ends the process with exit 1, naming the setting);
 * 2. build the clients, then the app from settings and clients;
 * 3. listen, then start intake;
 * 4. on SIGTERM or SIGINT (also while still starting): stop intake and drain, close the
 *    clients, close the HTTP server, in that order, within SHUTDOWN_TIMEOUT_MS; exit 0,
 *    or 1 when the deadline passed, a step failed or the app called fail().
 */
export function runService<S extends BaseSettings, C, A extends Service>(
  definition: ServiceDefinition<S, C, A>,
  env: Record<string, string | undefined> = process.env,
): void {
  let settings: S;
  try {
    settings = definition.settings(env);
  } catch (error) {
    console.error(`${definition.name} failed to start: ${describeError(error)}`);
    process.exit(1);
  }
  const logger = createLogger(definition.name, settings.LOG_LEVEL);
  const resources = new Resources();
  let service: Service | undefined;
  let http: FastifyInstance | undefined;
  let stopping = false;
  let exitCode = 0;

  const context: ServiceContext = {
    logger,
    resources,
    stopping: () => stopping,
    fail(error) {
      logger.error({ err: describeError(error) }, 'unrecoverable failure: stopping');
      exitCode = 1;
      requestStop('failure');
    },
  };

  const start = (async () => {
    const clients = await definition.clients(settings, context);
    if (stopping) return;
    service = await definition.app(settings, clients, context);
    http =
      service.http ??
      opsServer(
        logger,
        { registry: service.registry, checks: service.checks, stopping: context.stopping },
        settings,
      );
    await http.listen({ host: settings.HTTP_HOST, port: settings.HTTP_PORT });
    if (stopping) return;
    await service.start?.();
    logger.info({ url: `http://${settings.HTTP_HOST}:${settings.HTTP_PORT}` }, 'started');
  })();

  const steps = (): ShutdownStep[] => [
    { name: 'stop intake and drain', run: async () => service?.stop?.() },
    { name: 'close clients', run: () => resources.close(logger) },
    {
      name: 'close the HTTP server',
      run: async () => {
        if (http?.server.listening) await closeHttp(http);
      },
    },
  ];

  function requestStop(reason: string): void {
    if (stopping) {
      logger.info({ reason }, 'already stopping');
      return;
    }
    stopping = true;
    const began = Date.now();
    logger.info({ reason, deadlineMs: settings.SHUTDOWN_TIMEOUT_MS }, 'stopping');
    // A start that hangs (a dependency that never answers) is covered by the same deadline.
    const hard = setTimeout(() => {
      logger.error({ deadlineMs: settings.SHUTDOWN_TIMEOUT_MS }, 'shutdown deadline passed while starting');
      process.exit(1);
    }, settings.SHUTDOWN_TIMEOUT_MS);
    void start
      .catch(() => {})
      .then(() => runShutdown(steps(), settings.SHUTDOWN_TIMEOUT_MS - (Date.now() - began), logger))
      .then((result) => {
        clearTimeout(hard);
        if (!result.ok) exitCode = 1;
        logger.info({ ms: Date.now() - began, exitCode }, 'stopped');
        process.exit(exitCode);
      });
  }

  process.on('SIGTERM', () => requestStop('SIGTERM'));
  process.on('SIGINT', () => requestStop('SIGINT'));
  start.catch((error: unknown) => {
    if (stopping) return;
    logger.error({ err: describeError(error) }, 'failed to start');
    console.error(`${definition.name} failed to start: ${describeError(error)}`);
    exitCode = 1;
    requestStop('start failed');
  });
}
