import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RelayError, badRequestTarget, frameworkClientError, uuidv7, type Outcome, type Route } from '@llm-relay/contracts';
import { Exchange } from '../features/capture/exchange.ts';
import { authenticate, notConfigured } from '../features/auth/authenticate.ts';
import type { GatewayContext, RequestState } from '../features/proxy/context.ts';
import { finishExchange } from '../features/proxy/finish.ts';
import { readAttributionHeaders } from '../features/attribution/parse.ts';

declare module 'fastify' {
  interface FastifyRequest {
    relay: RequestState | null;
  }
  interface FastifyContextConfig {
    /** the exchange route a /v1 handler records; absent on health and metrics */
    route?: Route;
  }
}

/** How much of an over-limit body is read and dropped so its client can read the 413 (beyond it: close). */
const DRAIN_MAX_BYTES = 64 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/**
 * A client still uploading an over-limit body cannot read an answer sent now: Node closes the connection
 * after a response whose request was not read to its end, and the client's next write fails (EPIPE), so an
 * SDK reports a connection error instead of the 413. Read the rest and drop it, within bounds, then answer.
 */
function drainThen(req: NodeJS.ReadableStream & { destroyed: boolean }, answer: () => void): void {
  let bytes = 0;
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    req.removeListener('data', onData);
    answer();
  };
  const onData = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > DRAIN_MAX_BYTES) finish();
  };
  const timer = setTimeout(finish, DRAIN_MAX_MS);
  req.on('data', onData);
  req.once('end', finish);
  req.once('error', finish);
  req.once('close', finish);
  req.resume();
}

function shuttingDown(): RelayError {
  return new RelayError('gateway_shutting_down', 'This gateway replica is shutting down; retry the request.', { headers: { connection: 'close' } });
}

function outcomeFor(status: number): Outcome {
  if (status === 504) return 'timeout';
  if (status === 502) return 'upstream_error';
  if (status >= 500) return 'gateway_error';
  return 'rejected';
}

/**
 * Every /v1 request gets its Exchange (and so its id, sent as x-request-id) before anything can fail,
 * then the relay key is checked. Whatever happens next — rejection, error, success — ends in
 * finishExchange exactly once: here in onResponse, or in the handler when it wrote the response itself.
 */
export function installRelayHooks(app: FastifyInstance, ctx: GatewayContext): void {
  app.decorateRequest('relay', null);

  app.addHook('onRequest', (request, reply, done) => {
    // before anything is recorded: the stored path must be the path the request was served for
    const bad = badRequestTarget(request.raw.url ?? '');
    if (bad) {
      ctx.metrics.badTargets.inc();
      reply.header('x-request-id', uuidv7());
      return done(new RelayError('invalid_request_target', bad));
    }
    const route = request.routeOptions.config.route;
    if (!route) {
      // every response carries a request id, also health checks and 404s outside /v1
      reply.header('x-request-id', uuidv7());
      return done();
    }
    const ex = new Exchange(route, request.method, request.url, request.headers, request.ip);
    const st: RequestState = { ex, key: null, admitted: false, hijacked: false, proxying: false };
    request.relay = st;
    ctx.inflight++;
    ctx.metrics.inflight.inc();
    ctx.active.set(ex.id, { st, res: reply.raw });
    reply.header('x-request-id', ex.id);
    // the id of the log this answer will be stored as, on every answer (errors included), for feedback
    reply.header('x-relay-log-id', ex.id);
    // while draining, answers close their connection, so no idle keep-alive socket is left for the listener
    // close to reset under a client that is just writing its next request on it
    if (ctx.draining) reply.header('connection', 'close');
    const cfg = ctx.snapshots.current;
    let authError: Error | null = cfg ? null : notConfigured();
    if (cfg) {
      try {
        st.key = authenticate(cfg, request.headers);
        ex.key = st.key.ref;
      } catch (err) {
        authError = err as Error;
        // no valid key: metadata only, and only a sample of them (reject-sampler.ts)
        if (err instanceof RelayError && err.status === 401) {
          ex.metadataOnly();
          st.unrecorded = !ctx.rejectSampler.admit(request.ip);
        }
      }
    }
    // authenticated first, so the shutdown 503 is recorded with the caller's key when it had a valid one
    if (ctx.closing) return done(shuttingDown());
    if (authError) return done(authError);
    try {
      ex.attribution = readAttributionHeaders(request.headers);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const st = request.relay;
    if (st && !st.hijacked) {
      if (!st.ex.status) st.ex.status = reply.statusCode;
      finishExchange(ctx, st);
    }
    done();
  });

  // a client gone before the handler took over (mid-upload, say) gets no 'finish': end its exchange here
  app.addHook('onRequestAbort', (request, done) => {
    const st = request.relay;
    if (st && !st.hijacked && !st.proxying && !st.ex.finished) {
      st.ex.status = 499;
      st.ex.fail('client_abort', 'client closed the connection before the request was handled');
      finishExchange(ctx, st);
    }
    done();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request: FastifyRequest, reply: FastifyReply) => {
    let e: RelayError;
    if (err instanceof RelayError) e = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') e = new RelayError('request_too_large', `Request body too large: the limit is ${ctx.env.BODY_LIMIT_BYTES} bytes.`);
    else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) e = frameworkClientError(err);
    else {
      ctx.log.error({ err, exchangeId: request.relay?.ex.id }, 'unhandled gateway error');
      e = new RelayError('internal_error', 'The relay failed to handle this request.');
    }
    const status = e.status;
    const body = e.toBody();
    reply.headers(e.headers);
    const st = request.relay;
    // on Anthropic's API the same error also carries Anthropic's top-level `type: "error"`, so both SDKs read it
    const payload = st?.ex.route === 'messages' ? { type: 'error', ...body } : body;
    if (st) {
      const ex = st.ex;
      ex.status = status;
      ex.fail(outcomeFor(status), body.error.message);
      const text = JSON.stringify(payload);
      ex.responseBody = { text, contentType: 'application/json', bytes: Buffer.byteLength(text), truncated: false };
      if (status === 413 && ex.requestBody.bytes === 0) {
        const len = Number(request.headers['content-length'] ?? 0);
        ex.requestBody = { contentType: request.headers['content-type'], bytes: len, truncated: len > 0 };
      }
    }
    const send = () => void reply.code(status).type('application/json').send(payload);
    if (status === 413 && !request.raw.complete && !request.raw.destroyed) drainThen(request.raw, send);
    else send();
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(new RelayError('unknown_url', `Unknown request URL: ${request.method} ${request.url}.`).toBody());
  });
}
