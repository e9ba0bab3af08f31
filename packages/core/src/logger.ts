import { destination, type Logger, pino } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Paths that can carry secrets are redacted so that a config
 * dump or a client error with credentials in it never reaches the log sink.
 *
 * Lines are written to standard output synchronously: an app logs a few lines a minute
 * (no line per request or event), and pino's asynchronous default, asked to flush at exit
 * while a line is still being written to a pipe whose reader is gone, retries the write
 * without end (sonic-boom's flushSync on EPIPE), so the process never exits. A synchronous
 * write meets the broken pipe at once, and pino stops writing.
 */
export function createLogger(name: string, level = 'info'): Logger {
  return pino(
    {
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
    },
    destination({ dest: 1, sync: true }),
  );
}
