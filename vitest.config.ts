import { defineConfig } from 'vitest/config';
import { aloneFiles } from './packages/testkit/src/integration-lanes.ts';

const integrationFiles = ['{apps,packages,tools}/*/src/**/*.int.test.ts', 'apps/*/test/**/*.int.test.ts'];
const integration = {
  environment: 'node',
  globalSetup: ['./packages/testkit/src/global-setup.ts'],
  testTimeout: 120_000,
  hookTimeout: 300_000,
} as const;

/**
 * Three projects: `unit` (pure logic beside the code, no services, fast), then the
 * integration files (*.int.test.ts: a module's beside it, an app's in its test package
 * apps/<app>/test) against the real local stack that `npm test` starts. Those that leave the
 * shared stack as they found it run two at a time (`integration`); after them, those that
 * stop, kill or wipe a part of it, one at a time (`integration-alone`; the list and its
 * reasons: packages/testkit/src/integration-lanes.ts). The group order keeps the two apart
 * when both are asked for.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{apps,packages,tools}/*/src/**/*.test.ts', 'packages/kafka/bench/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          environment: 'node',
          // Importing kafkajs, fastify, avsc and the AWS SDK again for every file was three
          // quarters of the run (90 s instead of 24 s on two cores). The files share no
          // module state (no vi.mock, no module-level stubs; each builds what it uses), and
          // they pass in shuffled orders too.
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...integration,
          name: 'integration',
          include: integrationFiles,
          exclude: ['**/node_modules/**', ...Object.keys(aloneFiles)],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-alone',
          include: Object.keys(aloneFiles),
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
