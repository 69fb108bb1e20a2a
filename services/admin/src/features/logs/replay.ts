import type { StoredLog } from '@llm-relay/contracts';
import { RelayError, badRequestTarget } from '@llm-relay/contracts';

export interface ReplayResult {
  status: number;
  body: unknown;
  latencyMs: number;
}

/**
 * Send a stored request again through the gateway (GATEWAY_INTERNAL_URL), as a client would, with the relay key the user typed
 * (admin holds no secret that could call models). Always non-streaming, so the answer fits one JSON body.
 */
/** A `/v1/…` path (and query) in plain URL characters: what the gateway stores for a request it served. */
const V1_PATH = /^\/v1\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*(\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?$/;

/**
 * Where a replay goes: GATEWAY_INTERNAL_URL with the stored path appended — built by putting the parts
 * together, never by resolving the stored text as a URL, which would let a stored `http://other-host/…`
 * (or `//other-host/…`) send the request and the key the admin typed to another host. A stored path that
 * is not a plain `/v1/…` path is refused.
 */
export function replayUrl(gatewayUrl: string, path: string): URL {
  if (!V1_PATH.test(path) || badRequestTarget(path) !== null) {
    throw new RelayError('not_replayable', 'The stored request path is not a plain /v1/ path; it cannot be replayed.');
  }
  const base = new URL(gatewayUrl);
  const q = path.indexOf('?');
  const url = new URL(base.origin);
  // the gateway may sit under a path prefix (https://host/relay)
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${q < 0 ? path : path.slice(0, q)}`;
  url.search = q < 0 ? '' : path.slice(q);
  if (url.origin !== base.origin) throw new RelayError('not_replayable', 'The stored request path does not stay on the gateway; it cannot be replayed.');
  return url;
}

export async function replayLog(log: StoredLog, gatewayUrl: string, apiKey: string, timeoutMs = 120_000): Promise<ReplayResult> {
  if (log.bodiesExpired) throw new RelayError('bodies_expired', 'The request body of this log was removed by retention; it cannot be replayed.');
  if (log.request.truncated) throw new RelayError('body_truncated', 'The stored request body was cut at the capture limit; it cannot be replayed.');
  if (log.method !== 'POST') throw new RelayError('not_replayable', `Only POST requests can be replayed (this one was ${log.method}).`);
  let body = log.request.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const { stream_options: _o, ...rest } = body as Record<string, unknown>;
    body = 'stream' in rest ? { ...rest, stream: false } : rest;
  } else if (typeof body !== 'string') throw new RelayError('not_replayable', 'The stored request has no JSON or text body to send.');
  const url = replayUrl(gatewayUrl, log.path);
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-relay-replay-of': log.id },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new RelayError('gateway_unreachable', `Could not reach the gateway at ${gatewayUrl}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  const latencyMs = Math.round(performance.now() - t0);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: returned as text
  }
  return { status: res.status, body: parsed, latencyMs };
}
