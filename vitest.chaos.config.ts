import { defineConfig } from 'vitest/config';

// `npm run chaos`: the short chaos scenarios against a real node, one at a time (two nodes starve 2 cores).
export default defineConfig({
  test: {
    include: ['runtime/chaos/chaos.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
