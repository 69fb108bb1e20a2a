import type { IncomingHttpHeaders } from 'node:http';
import type { CompiledProvider } from '../config/compiled.ts';
import { RELAY_HEADER_PREFIX } from '../attribution/parse.ts';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'http2-settings'];

/**
 * Never forwarded upstream: hop-by-hop, the relay key, what undici sets itself, cookies meant for the
 * relay, and the caller's OpenAI organisation/project, which belong to the caller's own account and
 * would make the provider refuse the relay's key (a provider that needs them sets them in its headers).
 */
const DROP_REQUEST = new Set([...HOP_BY_HOP, 'host', 'authorization', 'x-api-key', 'content-length', 'accept-encoding', 'cookie', 'expect', 'openai-organization', 'openai-project']);
/** Never passed back to the client: hop-by-hop, and what the gateway sets itself. */
const DROP_RESPONSE = new Set([...HOP_BY_HOP, 'x-request-id', 'x-relay-log-id', 'set-cookie', 'alt-svc']);

function connectionListed(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Set<string> | null {
  const c = h.connection;
  if (typeof c !== 'string' || c === 'keep-alive' || c === 'close') return null;
  return new Set(c.toLowerCase().split(',').map((s) => s.trim()));
}

/**
 * Headers for the upstream request. Asks for identity encoding so the captured body is readable text;
 * an upstream that compresses anyway is decoded on the way back (see relay-response.ts).
 */
export function upstreamHeaders(h: IncomingHttpHeaders, p: CompiledProvider, apiKey: string | undefined, contentLength: number | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const listed = connectionListed(h);
  for (const name in h) {
    // x-relay-* (attribution) is the relay's own; 'x' = 120 keeps the test to one compare for most names
    if (DROP_REQUEST.has(name) || listed?.has(name) || (name.charCodeAt(0) === 120 && name.startsWith(RELAY_HEADER_PREFIX))) continue;
    const v = h[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  for (const name in p.headers) out[name.toLowerCase()] = p.headers[name]!;
  if (p.type === 'anthropic') {
    if (apiKey) out['x-api-key'] = apiKey;
    out['anthropic-version'] ??= '2023-06-01';
  } else if (apiKey) {
    out.authorization = `Bearer ${apiKey}`;
  }
  out['accept-encoding'] = 'identity';
  if (contentLength !== undefined) out['content-length'] = String(contentLength);
  return out;
}

/** Upstream response headers as the client gets them; the upstream request id is kept under another name. */
export function clientHeaders(h: Record<string, string | string[] | undefined>, decoded: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const listed = connectionListed(h);
  for (const name in h) {
    if (DROP_RESPONSE.has(name) || listed?.has(name)) continue;
    if (decoded && (name === 'content-encoding' || name === 'content-length')) continue;
    const v = h[name];
    if (v !== undefined) out[name] = v;
  }
  const rid = h['x-request-id'];
  if (rid !== undefined) out['x-upstream-request-id'] = rid;
  return out;
}
