import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { RelayError } from '@llm-relay/contracts';
import type { Candidate } from '../config/compiled.ts';
import type { Exchange } from '../capture/exchange.ts';
import { now } from '../capture/exchange.ts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { Upstreams } from './pools.ts';
import { upstreamHeaders } from './headers.ts';

export interface ForwardRequest {
  candidates: Candidate[];
  method: string;
  /** path below the provider's base path, with the query string: `/chat/completions`, `/files?limit=2` */
  subpath: string;
  headers: IncomingHttpHeaders;
  /** the body for one candidate (aliases rewrite the model per provider); a stream can be sent only once */
  body: (c: Candidate) => Buffer | Readable | null;
  /** retries and fallback are allowed (the body can be sent again) */
  replayable: boolean;
  maxRetries: number;
  signal: AbortSignal;
}

export interface Forwarded {
  candidate: Candidate;
  res: Dispatcher.ResponseData;
  retried: boolean;
}

const RETRY_BACKOFF_MS = 100;

function retryableStatus(s: number): boolean {
  return s === 429 || s >= 500;
}

function errorCode(err: unknown): string {
  return (err as { code?: string }).code ?? (err as Error).name ?? 'Error';
}

/** A failure that happened before the request reached the upstream application: safe to send again. */
function isConnectionError(err: unknown): boolean {
  const c = errorCode(err);
  return c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'ECONNREFUSED' || c === 'ECONNRESET' || c === 'UND_ERR_SOCKET' || c === 'EHOSTUNREACH' || c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'UND_ERR_CLOSED';
}

function isTimeout(err: unknown): boolean {
  const c = errorCode(err);
  return c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT';
}

/**
 * Send the request to the first candidate; on a connection error, 429 or 5xx try again (up to
 * maxRetries times per provider), then fall back to the next candidate. Nothing has reached the client
 * yet, so a retry is invisible to it. The last upstream error response is returned as it is; when no
 * response arrived at all a RelayError (502/504) is thrown.
 */
export async function forward(req: ForwardRequest, ex: Exchange, ups: Upstreams, metrics: Metrics): Promise<Forwarded> {
  let lastErr: unknown = null;
  let lastRes: { candidate: Candidate; res: Dispatcher.ResponseData } | null = null;
  let attempts = 0;
  const perProvider = req.replayable ? req.maxRetries + 1 : 1;
  const candidates = req.replayable ? req.candidates : req.candidates.slice(0, 1);
  for (const c of candidates) {
    let keySwitches = 0;
    for (let i = 0; i < perProvider; i++) {
      if (attempts > 0 && i > 0) await sleep(RETRY_BACKOFF_MS * 2 ** (i - 1), req.signal);
      if (lastRes) {
        // the response we give up on must be consumed, or its socket is not reused
        lastRes.res.body.dump().catch(() => undefined);
        lastRes = null;
      }
      attempts++;
      const p = c.provider;
      const key = ups.pickKey(p);
      const body = req.body(c);
      const startedAt = now();
      ex.provider = p.id;
      ex.upstreamModel = c.upstreamModel || null;
      try {
        const res = await ups.pool(p).request({
          method: req.method as Dispatcher.HttpMethod,
          path: p.basePath + req.subpath,
          headers: upstreamHeaders(req.headers, p, key, Buffer.isBuffer(body) ? body.length : headerLength(req.headers)),
          body,
          signal: req.signal,
        });
        const t = now();
        ex.attempts.push({ provider: p.id, status: res.statusCode, startedAt, durationMs: t - startedAt });
        ex.upstreamHeadersAt = t;
        metrics.upstream.observe({ route: ex.route, provider: p.id }, (t - startedAt) / 1000);
        if (res.statusCode === 401 || res.statusCode === 429) {
          ups.rest(p, key, res.headers['retry-after']);
          // the provider's other keys are tried at once, without using up a retry
          if (req.replayable && keySwitches < p.apiKeys.length - 1 && ups.hasFreeKey(p)) {
            keySwitches++;
            metrics.upstreamAttempts.inc({ provider: p.id, result: 'key_switch' });
            lastRes = { candidate: c, res };
            i--;
            continue;
          }
        }
        const retry = retryableStatus(res.statusCode);
        metrics.upstreamAttempts.inc({ provider: p.id, result: retry ? 'retryable' : 'ok' });
        if (!retry || !req.replayable) return { candidate: c, res, retried: attempts > 1 };
        lastRes = { candidate: c, res };
        lastErr = null;
      } catch (err) {
        const t = now();
        ex.attempts.push({ provider: p.id, status: null, error: `${errorCode(err)}: ${(err as Error).message}`, startedAt, durationMs: t - startedAt });
        metrics.upstreamAttempts.inc({ provider: p.id, result: errorCode(err) });
        if (req.signal.aborted) throw err;
        lastErr = err;
        // a headers timeout may mean the upstream is still working on it: do not send it again
        if (!req.replayable || !isConnectionError(err)) break;
      }
    }
    if (lastErr && !isConnectionError(lastErr) && !lastRes) break;
  }
  if (lastRes) return { candidate: lastRes.candidate, res: lastRes.res, retried: attempts > 1 };
  const retried = attempts > 1 ? { 'x-should-retry': 'false' } : undefined;
  if (isTimeout(lastErr)) {
    throw new RelayError('upstream_timeout', `upstream timed out (${errorCode(lastErr)})`, { headers: retried });
  }
  throw new RelayError('upstream_unreachable', `upstream unreachable (${errorCode(lastErr)}: ${(lastErr as Error)?.message})`, { headers: retried });
}

function headerLength(h: IncomingHttpHeaders): number | undefined {
  const v = h['content-length'];
  return v === undefined ? undefined : Number(v);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
