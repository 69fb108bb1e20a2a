import { defineConfig } from 'vitest/config';

// One vitest configuration for the packages and services. Integration tests start real processes and
// talk to the real Redis; on a 2-core machine they run one file at a time so timing-sensitive
// behaviour (aborts, keep-alives) is not starved.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    passWithNoTests: false,
  },
});
