import { Transform, pipeline, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RelayError } from '@llm-relay/contracts';
import { candidatesFor, type Candidate } from '../features/config/compiled.ts';
import { candidatesWithoutModel } from '../features/config/without-model.ts';
import { BinarySummary } from '../features/capture/binary-summary.ts';
import { captureBuffer } from '../features/capture/body-capture.ts';
import type { GatewayContext } from '../features/proxy/context.ts';

type ProviderType = 'openai' | 'anthropic';
import { admit, runProxy } from '../features/proxy/run.ts';
import { passthroughModel } from '../features/proxy/request-fields.ts';
import { acceptModel } from './model-routes.ts';

/**
 * Every other /v1 path (stored completions, files, audio, images, batches, vector stores, …) goes to
 * the provider the body's model picks, else the one candidatesWithoutModel names (the key's default provider,
 * the default model's provider, the first provider of the API's type; Anthropic's when the caller speaks its API).
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

/** The whole of a request body stream, or 413 past `limit` bytes. */
async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    n += chunk.length;
    // the rest is not read: the answer closes the connection
    if (n > limit) throw new RelayError('request_too_large', `Request body too large: the limit is ${limit} bytes.`, { headers: { connection: 'close' } });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
  } else if (request.body && typeof (request.body as Readable).pipe === 'function' && !st.key!.allowAll && /^multipart\//i.test(contentType ?? '')) {
    // a key limited to some models: an upload's `model` field (transcriptions, image edits) is checked before
    // anything is sent, so such uploads are held (up to BODY_LIMIT_BYTES) instead of streamed
    const summary = new BinarySummary(contentType);
    const held = await readAll(request.body as Readable, ctx.env.BODY_LIMIT_BYTES);
    summary.write(held);
    const models = summary.fieldValues('model');
    if (models.length > 1) throw new RelayError('duplicate_key', 'The upload has the field `model` more than once.', { param: 'model' });
    if (models[0]) {
      acceptModel(st, models[0]);
      const c = candidatesFor(cfg, models[0], type);
      if (c.length) candidates = c;
    }
    body = held;
    ex.lazyRequestBody = () => summary.toCaptured();
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
  const chosen = candidates ?? candidatesWithoutModel(cfg, st.key!, type);
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
