// An app run by the shell for run.test.ts. Its stop waits for a line on stdin, so the test
// decides when the stop ends and what its standard output is by then; the stop logs a line
// as it ends, as apps' stops do.
import { createInterface } from 'node:readline';
import { parseSettings } from '@inventory/config';
import { Registry } from 'prom-client';
import { defineService, runService } from './run.ts';
import { baseSettings } from './settings.ts';

runService(
  defineService({
    name: 'run-fixture',
    settings: (env) => parseSettings(baseSettings({ httpPort: 8080 }), env, { prefix: 'FIXTURE_' }),
    clients: async () => ({}),
    app: (_settings, _clients, { logger }) => ({
      registry: new Registry(),
      checks: {},
      stop: () =>
        new Promise<void>((resolve) => {
          createInterface({ input: process.stdin }).once('line', () => {
            logger.info('drained');
            resolve();
          });
        }),
    }),
  }),
);
