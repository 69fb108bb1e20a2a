import { defineConfig } from 'vitest/config';

// Integration tests start real processes and talk to the real Redis; on a 2-core machine they run
// one file at a time so timing-sensitive behaviour (aborts, keep-alives) is not starved.
// The API suites run twice: on SQLite, and on FerretDB (the MongoDB adapter over the wire protocol).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    passWithNoTests: false,
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'ferretdb',
          include: ['test/{auth,config,logs,permissions,live,init,relay-e2e,attribution-e2e,prompts,projects}.int.test.ts'],
          globalSetup: ['test/ferretdb-setup.ts'],
        },
      },
    ],
  },
});
