import { defineConfig } from 'vitest/config';

// Integration tests start real nats-server processes; two cores in CI, so keep forks bounded.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // The chaos suite is its own vitest run (`npm run chaos`, and the last step of `npm test`): one node at a time, after the unit suite.
    exclude: ['node_modules/**', 'var/**', 'runtime/chaos/chaos.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
