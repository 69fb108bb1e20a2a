import { defineConfig } from 'vitest/config';

// The scale-out proof starts many real processes; its files run one at a time on the 2-core machine.
export default defineConfig({
  test: {
    include: ['*.test.ts', 'edge/**/*.test.ts', 'scale-out/**/*.test.ts', 'grafana/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    passWithNoTests: false,
  },
});
