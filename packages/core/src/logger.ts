import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Paths that can carry secrets are redacted so that a config
 * dump or a client error with credentials in it never reaches the log sink.
 */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        '*.password',
        '*.token',
        '*.apiKey',
        '*.authorization',
        'headers.authorization',
        'config.*Password',
      ],
      censor: '[redacted]',
    },
  });
}
