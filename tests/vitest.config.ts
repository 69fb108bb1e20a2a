import { defineConfig } from 'vitest/config';

// Integration tests start real processes and talk to the real Redis; on a 2-core machine they run
// one file at a time so timing-sensitive behaviour (aborts, keep-alives) is not starved.
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    passWithNoTests: false,
  },
});
