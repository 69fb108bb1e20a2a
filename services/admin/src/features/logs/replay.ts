import type { StoredLog } from '@llm-relay/contracts';
import { RelayError } from '@llm-relay/contracts';

export interface ReplayResult {
  status: number;
  body: unknown;
  latencyMs: number;
}

/**
 * Send a stored request again through the gateway (GATEWAY_INTERNAL_URL), as a client would, with the relay key the user typed
 * (admin holds no secret that could call models). Always non-streaming, so the answer fits one JSON body.
 */
export async function replayLog(log: StoredLog, gatewayUrl: string, apiKey: string, timeoutMs = 120_000): Promise<ReplayResult> {
  if (log.bodiesExpired) throw new RelayError(409, 'bodies_expired', 'The request body of this log was removed by retention; it cannot be replayed.');
  if (log.request.truncated) throw new RelayError(409, 'body_truncated', 'The stored request body was cut at the capture limit; it cannot be replayed.');
  if (log.method !== 'POST') throw new RelayError(409, 'not_replayable', `Only POST requests can be replayed (this one was ${log.method}).`);
  let body = log.request.body;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const { stream_options: _o, ...rest } = body as Record<string, unknown>;
    body = 'stream' in rest ? { ...rest, stream: false } : rest;
  } else if (typeof body !== 'string') throw new RelayError(409, 'not_replayable', 'The stored request has no JSON or text body to send.');
  // relative resolution keeps a path prefix the gateway may sit under (https://host/relay)
  const url = new URL(log.path.replace(/^\/+/, ''), gatewayUrl.endsWith('/') ? gatewayUrl : `${gatewayUrl}/`);
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
    throw new RelayError(502, 'gateway_unreachable', `Could not reach the gateway at ${gatewayUrl}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
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
