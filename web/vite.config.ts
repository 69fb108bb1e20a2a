import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Dev server only: API calls go to a running admin service (ADMIN_URL), while browser
// navigations under /admin/* get index.html, mirroring how admin serves the built UI.
const adminUrl = process.env.ADMIN_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/admin/',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: {
    proxy: {
      '^/admin/(?!assets/|src/|@|node_modules/).+': {
        target: adminUrl,
        ws: true,
        bypass: (req) => (req.headers.accept?.includes('text/html') ? '/admin/index.html' : undefined),
      },
    },
  },
});
