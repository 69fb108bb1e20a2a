import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { RelayError } from '@llm-relay/contracts';
import type { Exchange } from '../capture/exchange.ts';
import { now, pickHeaders } from '../capture/exchange.ts';
import { BinarySummary } from '../capture/binary-summary.ts';
import { BodyCapture, isTextual } from '../capture/body-capture.ts';
import type { CaptureBudget } from '../capture/capture-budget.ts';
import { clientHeaders } from '../upstream/headers.ts';
import type { Metrics } from '../../plugins/metrics.ts';
import { SseFramer } from './sse-framer.ts';

export interface RelayOptions {
  res: ServerResponse;
  upstream: Dispatcher.ResponseData;
  ex: Exchange;
  /** strip the usage-only chunk the relay asked for (stream_options injection) */
  strip: boolean;
  retried: boolean;
  captureMax: number;
  budget: CaptureBudget;
  keepAliveMs: number;
  metrics: Metrics;
  /** extra headers for the client (rate-limit state of the relay key) */
  extraHeaders: Record<string, string> | undefined;
  /** true once the client went away; set by the caller's close listener */
  clientGone: () => boolean;
}

const SMALL_BODY = 256 * 1024;

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Send the upstream response to the client as it arrives. Text bodies (JSON, SSE) are captured up to
 * the capture limit; binary bodies are summarised. Backpressure: when the client socket is full the
 * upstream body is paused, so a slow reader holds at most one chunk in the gateway.
 */
export function relayResponse(o: RelayOptions): Promise<void> {
  const { res, upstream, ex } = o;
  const h = upstream.headers;
  const contentType = typeof h['content-type'] === 'string' ? h['content-type'] : undefined;
  const sse = contentType?.startsWith('text/event-stream') ?? false;
  const textual = sse || isTextual(contentType);
  const encoding = typeof h['content-encoding'] === 'string' ? h['content-encoding'].trim().toLowerCase() : '';
  // text is decoded so the capture (and usage stripping) can read it; binary is passed through as it is
  const decoder = textual && encoding && encoding !== 'identity' ? DECODERS[encoding] : undefined;
  let source: Readable = upstream.body;
  if (decoder) {
    const d = decoder() as unknown as Readable & NodeJS.WritableStream;
    upstream.body.once('error', (err) => d.destroy(err));
    source = upstream.body.pipe(d);
  }

  const headers = clientHeaders(h, Boolean(decoder));
  headers['x-request-id'] = ex.id;
  headers['x-relay-log-id'] = ex.id;
  if (o.retried) headers['x-should-retry'] = 'false';
  if (o.extraHeaders) Object.assign(headers, o.extraHeaders);
  ex.status = upstream.statusCode;
  ex.stream = sse;
  ex.responseHeaders = pickHeaders(h);
  if (o.strip) ex.usageInjected = true;

  const capture = textual ? new BodyCapture(o.captureMax, o.budget) : null;
  const summary = textual ? null : new BinarySummary(contentType);
  const framer = sse ? new SseFramer(o.strip) : null;
  let lastWrite = now();
  let keepAlive: NodeJS.Timeout | null = null;
  if (sse) o.metrics.streamsInFlight.inc();

  // a small non-streamed answer of known size goes out in one write with the end of the response (one
  // syscall instead of two; it usually arrives in one chunk anyway), and nothing is committed before it
  // is complete, so a body that breaks can still be answered with a clean 502
  const declared = Number(headers['content-length']);
  const small: Buffer[] | null = !sse && declared >= 0 && declared <= SMALL_BODY ? [] : null;
  if (!small) res.writeHead(upstream.statusCode, headers);
  if (sse) {
    res.flushHeaders();
    keepAlive = setInterval(() => {
      if (now() - lastWrite >= o.keepAliveMs && !res.writableEnded) {
        res.write(': keep-alive\n\n');
        lastWrite = now();
      }
    }, Math.max(250, Math.floor(o.keepAliveMs / 4)));
    keepAlive.unref();
  }

  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    if (keepAlive) clearInterval(keepAlive);
    if (sse) o.metrics.streamsInFlight.dec();
    ex.responseBody = capture ? capture.toCaptured(contentType) : summary!.toCaptured();
    if (capture) ex.held += capture.held;
  };

  return new Promise<void>((resolve) => {
    const write = (out: Buffer) => {
      if (small) {
        small.push(out);
        return;
      }
      if (ex.firstByteAt === null) ex.firstByteAt = now();
      lastWrite = now();
      if (!res.write(out)) {
        source.pause();
        res.once('drain', () => source.resume());
      }
    };
    source.on('data', (chunk: Buffer) => {
      if (capture) capture.write(chunk);
      else summary!.write(chunk);
      const out = framer ? framer.push(chunk) : chunk;
      if (out) write(out);
    });
    source.once('end', () => {
      const rest = framer?.end();
      if (rest) write(rest);
      finish();
      if (small) {
        ex.firstByteAt = now();
        res.writeHead(upstream.statusCode, headers);
        res.end(small.length === 1 ? small[0] : Buffer.concat(small));
      } else res.end();
      resolve();
    });
    source.once('error', (err: Error) => {
      finish();
      if (o.clientGone()) {
        ex.fail('client_abort', 'client closed the connection before the response ended');
        res.destroy();
      } else if (sse) {
        // the client gets a clean error event, never a fake [DONE]; a held partial event is dropped
        const code = (err as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT' ? 'upstream_idle_timeout' : 'upstream_stream_error';
        ex.fail(code === 'upstream_idle_timeout' ? 'timeout' : 'upstream_error', `stream broke: ${(err as { code?: string }).code ?? err.name}: ${err.message}`);
        res.end(`data: ${JSON.stringify(new RelayError(code, `upstream stream failed: ${err.message}`).toBody())}\n\n`);
      } else if (small) {
        const timeout = (err as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT';
        ex.fail(timeout ? 'timeout' : 'upstream_error', `body broke: ${err.message}`);
        const e = new RelayError(timeout ? 'upstream_timeout' : 'upstream_body_error', `upstream response body failed: ${err.message}`);
        ex.status = e.status;
        const body = JSON.stringify(e.toBody());
        res.writeHead(ex.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': ex.id, 'x-relay-log-id': ex.id });
        res.end(body);
      } else {
        ex.fail('upstream_error', `body broke: ${err.message}`);
        res.destroy();
      }
      upstream.body.destroy();
      resolve();
    });
  });
}
