import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** q of a media type in an Accept header; wildcards count only for JSON, so `*\/*` (fetch's default) means API. */
function acceptQ(accept: string, type: string, wildcards: boolean): number {
  let best = 0;
  for (const part of accept.split(',')) {
    const [media, ...params] = part.trim().toLowerCase().split(';');
    const [t, s] = (media ?? '').split('/');
    const [wantT, wantS] = type.split('/');
    const match = (t === wantT && s === wantS) || (wildcards && ((t === wantT && s === '*') || (t === '*' && s === '*')));
    if (!match) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    best = Math.max(best, q ? Number(q.slice(2)) || 0 : 1);
  }
  return best;
}

/** A browser navigation (not fetch, not a WebSocket): it wants the UI, even at a path the API also answers. */
export function prefersHtml(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  if (req.headers.upgrade) return false;
  const html = acceptQ(accept, 'text/html', false);
  return html > 0 && html > acceptQ(accept, 'application/json', true);
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>LLM Relay admin</title>
<body style="font-family:system-ui;max-width:40rem;margin:4rem auto">
<h1>LLM Relay admin</h1><p>The web UI has not been built yet. Run <code>npm run build</code> in the repository, then reload.</p>
<p>The API works already: see <a href="/docs">/docs</a>.</p></body>`;

/**
 * The built Svelte UI under /admin/: hashed assets cached for good, index.html for every browser
 * navigation under /admin/ (the SPA routes), JSON for API calls at the same paths.
 */
export const webUiPlugin = fp(async (app: FastifyInstance) => {
  const dist = app.env.WEB_DIST_DIR;
  const built = existsSync(join(dist, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: dist,
      prefix: '/admin/',
      index: false,
      wildcard: true,
      schemaHide: true,
      setHeaders: (res, path) => {
        res.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else app.log.warn({ dist }, 'web UI not built: /admin/ shows how to build it (npm run build)');

  const sendUi = (reply: FastifyReply) =>
    built ? reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html') : reply.code(200).type('text/html; charset=utf-8').send(NOT_BUILT);

  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    const path = req.url.split('?')[0]!;
    if ((path === '/admin' || path.startsWith('/admin/')) && !path.startsWith('/admin/assets/') && prefersHtml(req)) {
      if (built && path !== '/admin' && path !== '/admin/' && /\.[a-z0-9]+$/i.test(path) && existsSync(join(dist, path.slice('/admin/'.length)))) return;
      return sendUi(reply);
    }
  });
  app.get('/', { schema: { hide: true } }, async (_req, reply) => (built ? reply.redirect('/admin/') : reply.type('text/html; charset=utf-8').send(NOT_BUILT)));
  app.get('/admin', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/admin/'));
  app.get('/admin/', { schema: { hide: true } }, async (_req, reply) => sendUi(reply));
});
