import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** An origin may call the API from a browser when it is allow-listed or is this very host (the served UI). */
export function isAllowedOrigin(origin: string, hosts: readonly (string | undefined)[], allowlist: string[]): boolean {
  const o = origin.replace(/\/+$/, '');
  // no wildcard: responses carry credentials, so every allowed origin is named
  if (allowlist.includes(o)) return true;
  try {
    const host = new URL(o).host;
    return hosts.some((h) => h !== undefined && h !== '' && h.toLowerCase() === host);
  } catch {
    return false;
  }
}

/**
 * The hosts a page served by this admin can have as its origin: the Host header, and behind a proxy the
 * browser's original host, which the proxy may have moved to X-Forwarded-Host. Fastify's `req.host` reads
 * X-Forwarded-Host only when the connecting peer is trusted (TRUST_PROXY), so a client cannot name its own.
 */
export function requestHosts(req: FastifyRequest): string[] {
  return [req.headers.host ?? '', req.host];
}

/**
 * `relayOrigin`: the gateway's public origin (PROXY_BASE_URL). The playground page runs prompts through the
 * relay from the browser, so that one origin joins connect-src; every other connection stays same-origin.
 */
export function contentSecurityPolicy(relayOrigin: string | null): string {
  return [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  // A logged conversation may point at images anywhere on the web (image_url); the log detail shows them.
  // Images cannot run code, and the UI loads them with referrerpolicy=no-referrer; every other kind of
  // resource stays same-origin. Plain http: stays out: an HTTPS page would refuse it as mixed content anyway.
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  `connect-src 'self' ws: wss:${relayOrigin ? ` ${relayOrigin}` : ''}`,
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
  ].join('; ');
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Security headers on every answer, and CORS for the allow-listed origins only (credentials included). */
export const securityPlugin = fp(async (app: FastifyInstance) => {
  const allow = app.env.CORS_ORIGINS;
  const csp = contentSecurityPolicy(originOf(app.env.PROXY_BASE_URL));
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    // swagger-ui sets its own, looser policy for its inline bootstrap
    if (!req.url.startsWith('/docs')) reply.header('content-security-policy', csp);
    if (app.env.NODE_ENV === 'production') reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (req.url.startsWith('/admin/') && !req.url.startsWith('/admin/assets/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    const origin = req.headers.origin;
    if (origin && isAllowedOrigin(origin, [], allow)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-expose-headers', 'x-request-id, content-disposition');
      reply.header('vary', 'Origin');
    }
    return payload;
  });

  // Preflight: answered for allow-listed origins only; others get no CORS headers and the browser refuses.
  app.options('/*', { schema: { hide: true } }, async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && isAllowedOrigin(origin, [], allow)) {
      reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE');
      reply.header('access-control-allow-headers', 'content-type, authorization, x-request-id');
      reply.header('access-control-max-age', '600');
    }
    return reply.code(204).send();
  });
});
