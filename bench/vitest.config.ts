import { defineConfig } from 'vitest/config';

// Only fast unit tests live here; the benchmark itself is `npm run bench`, never a test.
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
