import { defineConfig } from 'vitest/config';

/**
 * The clients' guarantees against the running local stack. Run by `npm run bench:kafka-clients
 * -- guarantees` on Node 24 (every client runs there), one file at a time like the integration tests.
 */
export default defineConfig({
  test: {
    include: ['packages/kafka/bench/guarantees/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./packages/testkit/src/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
