import { parseSettings, setting, type z } from '@inventory/config';
import { baseSettings } from '@inventory/service';

/**
 * The console's server: where it listens, the public APIs it forwards to (the browser talks
 * to this one origin only), and the built page it serves.
 */
export const shape = {
  ...baseSettings({ httpPort: 19190 }),
  /** The query API (availability, locations, the change feed). */
  QUERY_API_URL: setting.url().default('http://127.0.0.1:19120'),
  /** Prometheus' HTTP API; only its read endpoints (query, query_range) are forwarded. */
  PROMETHEUS_URL: setting.url().default('http://127.0.0.1:19990'),
  /** The built page (`vite build`); relative to the app's folder. */
  STATIC_DIR: setting.string().default('dist/web'),
  /** An upstream answer that has not started within this is answered 502. */
  UPSTREAM_TIMEOUT_MS: setting.positiveInt().default(10_000),
};

export type ConsoleConfig = z.infer<z.ZodObject<typeof shape>>;

export function parseConsoleConfig(env: Record<string, string | undefined>): ConsoleConfig {
  return parseSettings(shape, env, { prefix: 'CONSOLE_' });
}
