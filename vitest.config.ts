import { defineConfig } from 'vitest/config';

// Integration tests start real nats-server processes; two cores in CI, so keep forks bounded.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'var/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
