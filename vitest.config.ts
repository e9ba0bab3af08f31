import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure logic beside the code, no services, fast) and `integration`
 * (*.int.test.ts: a module's beside it, an app's in its test package apps/<app>/test, against
 * the real local stack that `npm test` starts). Integration files run one at a
 * time: they share one broker, and 2 cores are better spent on it than on test workers.
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
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{apps,packages,tools}/*/src/**/*.int.test.ts', 'apps/*/test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          globalSetup: ['./packages/testkit/src/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
