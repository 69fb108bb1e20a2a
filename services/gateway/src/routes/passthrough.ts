import { Transform, pipeline, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RelayError } from '@llm-relay/contracts';
import { candidatesFor, type Candidate } from '../features/config/compiled.ts';
import { BinarySummary } from '../features/capture/binary-summary.ts';
import { captureBuffer } from '../features/capture/body-capture.ts';
import type { GatewayContext } from '../features/proxy/context.ts';

type ProviderType = 'openai' | 'anthropic';
import { admit, runProxy } from '../features/proxy/run.ts';
import { passthroughModel } from '../features/proxy/request-fields.ts';
import { acceptModel } from './model-routes.ts';

/**
 * Every other /v1 path (stored completions, files, audio, images, batches, vector stores, …) goes to
 * the provider the body's model picks, else the key's default provider, else the first provider of the
 * API's type (Anthropic's when the caller speaks Anthropic's API).
 * JSON bodies are buffered (they are small and name the model); everything else streams through in
 * both directions and is only summarised for the capture.
 */
export function passthroughRoutes(ctx: GatewayContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: ctx.env.BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
    app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    app.all('/v1/*', { config: { route: 'passthrough' } }, (request, reply) => handle(ctx, request, reply));
  };
}

/** Anthropic's own API (its SDK always sends anthropic-version; `/v1/messages/count_tokens`, message batches). */
function providerType(request: FastifyRequest): ProviderType {
  return request.headers['anthropic-version'] !== undefined || request.url.startsWith('/v1/messages/') ? 'anthropic' : 'openai';
}

function defaultCandidate(ctx: GatewayContext, request: FastifyRequest, type: ProviderType): Candidate {
  const cfg = ctx.snapshots.current!;
  const wanted = request.relay!.key!.record.defaultProvider;
  const preferred = wanted ? cfg.providersById.get(wanted) : undefined;
  const p = (preferred?.type === type && preferred) || cfg.providers.find((x) => x.type === type) || preferred || cfg.providers[0];
  if (!p) throw new RelayError(503, 'no_provider', 'No provider is configured.', { type: 'server_error' });
  return { provider: p, upstreamModel: '' };
}

async function handle(ctx: GatewayContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const st = request.relay!;
  const ex = st.ex;
  const cfg = ctx.snapshots.current!;
  const contentType = request.headers['content-type'];
  const type = providerType(request);
  let body: Buffer | Readable | null = null;
  let candidates: Candidate[] | null = null;
  if (Buffer.isBuffer(request.body)) {
    ex.requestBody = captureBuffer(request.body, cfg.settings.captureMaxBytes, contentType, ctx.captureBudget, ex);
    const read = passthroughModel(request.body, contentType, !st.key!.allowAll);
    body = read.body;
    const model = read.model;
    if (model) {
      acceptModel(st, model);
      const c = candidatesFor(cfg, model, type);
      if (c.length) candidates = c;
    }
  } else if (request.body && typeof (request.body as Readable).pipe === 'function') {
    const summary = new BinarySummary(contentType);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        summary.write(chunk);
        cb(null, chunk);
      },
    });
    pipeline(request.body as Readable, tap, () => undefined);
    body = tap;
    ex.lazyRequestBody = () => summary.toCaptured();
  }
  const limitHeaders = await admit(ctx, st);
  const chosen = candidates ?? [defaultCandidate(ctx, request, type)];
  const subpath = request.url.slice(3);
  await runProxy(
    ctx,
    request,
    reply,
    {
      candidates: chosen,
      method: request.method,
      subpath,
      headers: request.headers,
      body: () => body,
      // a streamed upload cannot be sent twice
      replayable: !(body && !Buffer.isBuffer(body)),
      strip: () => false,
    },
    limitHeaders,
  );
}
