import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Two projects: fast jsdom unit/component tests beside the source, and end-to-end tests that
// build the UI, start the real services as processes and drive Debian's Chromium.
export default defineConfig({
  plugins: [svelte()],
  resolve: { conditions: ['browser'] },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'web-unit', include: ['src/**/*.test.ts'], environment: 'jsdom', setupFiles: ['src/test-setup.ts'] },
      },
      {
        extends: true,
        resolve: { conditions: ['node'] },
        test: {
          name: 'web-e2e',
          include: ['e2e/**/*.int.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
