import { defineConfig } from 'vitest/config';

// Integration tests start real nats-server processes; two cores in CI, so keep forks bounded.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // The chaos suite is its own run (`npm run chaos`): minutes long, and it tolerates the bugs it found (see runtime/chaos).
    exclude: ['node_modules/**', 'var/**', 'runtime/chaos/chaos.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
