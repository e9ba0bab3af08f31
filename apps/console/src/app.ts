import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { type AppBuilder, createRegistry, httpApp, type Service } from '@inventory/service';
import type { ConsoleConfig } from './config.ts';
import { proxyRoutes } from './proxy.ts';

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** The built page's folder: STATIC_DIR, relative to the app's folder unless absolute. */
export const staticDir = (config: ConsoleConfig): string =>
  isAbsolute(config.STATIC_DIR) ? config.STATIC_DIR : join(appDir, config.STATIC_DIR);

/**
 * The page is static and holds no key: the user types the API key, the page keeps it in
 * sessionStorage and sends it on each call. No inline script, and calls only to this origin.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * The console's server: the built page, and the public APIs under one origin, so the
 * browser needs no CORS and Prometheus (which has no authentication) is reachable only
 * through its two read endpoints.
 */
export const buildConsole: AppBuilder<ConsoleConfig, unknown, Service> = async (
  config,
  _clients,
  { logger, stopping },
) => {
  const registry = createRegistry();
  const root = staticDir(config);
  const app = await httpApp({
    logger,
    registry,
    checks: { page: async () => existsSync(join(root, 'index.html')) },
    stopping,
    settings: config,
    docs: {
      title: 'Inventory console',
      description:
        "The web console; its /api routes forward to the query API's reads and to Prometheus' query endpoints.",
    },
  });
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/api/')) {
      reply.header('content-security-policy', contentSecurityPolicy);
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
    }
  });
  proxyRoutes(
    app,
    {
      prefix: '/api/query',
      base: config.QUERY_API_URL,
      methods: ['GET'],
      allow: /^\/v1\/[A-Za-z0-9/_.~%-]*$/,
    },
    config.UPSTREAM_TIMEOUT_MS,
  );
  proxyRoutes(
    app,
    {
      prefix: '/api/prometheus',
      base: config.PROMETHEUS_URL,
      methods: ['GET'],
      allow: /^\/api\/v1\/(query|query_range)$/,
    },
    config.UPSTREAM_TIMEOUT_MS,
  );
  await app.register(fastifyStatic, { root, prefix: '/', index: 'index.html', wildcard: false });
  return { http: app, registry, checks: {} };
};
