import { defineConfig } from 'vitest/config';

// Integration tests start real processes and talk to the real Redis; on a 2-core machine they run
// one file at a time so timing-sensitive behaviour (aborts, keep-alives) is not starved.
// Two projects: the end-to-end paths (e2e/) and the fault suite (faults/: real processes, a Redis of
// each scenario's own, faults injected with signals; it prints its table at the end).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    passWithNoTests: false,
    projects: [
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'] } },
      { extends: true, test: { name: 'faults', include: ['faults/**/*.test.ts'], globalSetup: ['faults/global-setup.ts'], testTimeout: 120_000 } },
    ],
  },
});
