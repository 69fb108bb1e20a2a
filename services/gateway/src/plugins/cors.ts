import type { FastifyInstance } from 'fastify';

/**
 * Browser calls to /v1 from the origins in GATEWAY_CORS_ORIGINS (the admin UI's playground runs prompts
 * through the relay from the admin's origin). Installed only when origins are configured, so the hot
 * path of server-to-server traffic has no extra hook. The relay key still authenticates every call:
 * CORS only lets a page that holds a key read the answer.
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  if (!origins.length) return;
  const allowed = new Set(origins);
  // the playground reads the log id of its run; the SDKs read the request id
  const exposed = 'x-relay-log-id, x-request-id';
  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (!origin || !allowed.has(origin)) return done();
    reply.raw.setHeader('access-control-allow-origin', origin);
    reply.raw.setHeader('vary', 'origin');
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'];
    if (!preflight) {
      // set on the raw response so they survive handlers that write the response themselves (streams)
      reply.raw.setHeader('access-control-expose-headers', exposed);
      return done();
    }
    // a preflight never reaches auth or the provider: answered here, with the headers the page asked for
    // (Authorization and the x-relay-* attribution headers are not covered by a `*` wildcard)
    const asked = String(request.headers['access-control-request-headers'] ?? '');
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS')
      .header('access-control-allow-headers', /^[\w\s,-]*$/.test(asked) ? asked : 'authorization, content-type')
      .header('access-control-max-age', '600')
      .send();
  });
}
