import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RelayError, type Route } from '@llm-relay/contracts';
import { candidatesFor, modelAllowed, type Candidate, type CompiledKey } from '../features/config/compiled.ts';
import { candidatesWithoutModel } from '../features/config/without-model.ts';
import { captureBuffer } from '../features/capture/body-capture.ts';
import type { GatewayContext, RequestState } from '../features/proxy/context.ts';
import { admit, runProxy } from '../features/proxy/run.ts';
import { rewriteBody } from '../features/proxy/json-fields.ts';
import { readJsonFields } from '../features/proxy/request-fields.ts';
import { withBodyAttribution } from '../features/attribution/parse.ts';

interface ModelRoute {
  url: string;
  route: Route;
  subpath: string;
  type: 'openai' | 'anthropic';
}

const MODEL_ROUTES: ModelRoute[] = [
  { url: '/v1/chat/completions', route: 'chat.completions', subpath: '/chat/completions', type: 'openai' },
  { url: '/v1/responses', route: 'responses', subpath: '/responses', type: 'openai' },
  { url: '/v1/embeddings', route: 'embeddings', subpath: '/embeddings', type: 'openai' },
  { url: '/v1/completions', route: 'completions', subpath: '/completions', type: 'openai' },
  { url: '/v1/messages', route: 'messages', subpath: '/messages', type: 'anthropic' },
];

/** No model name comes near this; a longer one would only grow the logs, the roll-ups and the metrics. */
export const MODEL_MAX_BYTES = 256;

/** The body's model, checked for length before anything records it; then the key's allow-list. */
export function acceptModel(st: RequestState, model: string): void {
  if (Buffer.byteLength(model) > MODEL_MAX_BYTES) {
    throw new RelayError('model_too_long', `The model name is longer than ${MODEL_MAX_BYTES} bytes.`, { param: 'model' });
  }
  st.ex.model = model;
  assertModelAllowed(st.key!, model);
}

export function assertModelAllowed(key: CompiledKey, model: string): void {
  if (!modelAllowed(key, model)) throw new RelayError('model_not_allowed', `This relay key may not use the model \`${model}\`.`, { param: 'model' });
}

/** Candidates for a model the key may use: 403 when the key may not, 404 when no provider serves it. */
export function route(ctx: GatewayContext, request: FastifyRequest, model: string, type: 'openai' | 'anthropic'): Candidate[] {
  const st = request.relay!;
  const cfg = ctx.snapshots.current!;
  acceptModel(st, model);
  const candidates = candidatesFor(cfg, model, type);
  if (candidates.length === 0) {
    throw new RelayError('model_not_found', `The model \`${model}\` does not exist or no provider serves it.`, { param: 'model' });
  }
  return candidates;
}

/**
 * A Responses call may leave the model to a stored prompt (`prompt: {id}`), as the OpenAI API allows; it is
 * forwarded unchanged. Only a key whose allow-list restricts models must name one: the relay could not
 * check a model it never sees. Every other route needs the model.
 */
function withoutModel(ctx: GatewayContext, st: RequestState, r: ModelRoute): Candidate[] {
  if (r.route !== 'responses') throw new RelayError('missing_model', 'You must provide a model parameter.', { param: 'model' });
  if (!st.key!.allowAll) {
    throw new RelayError('missing_model', 'This relay key may only use certain models, so the request must name one.', { param: 'model' });
  }
  return candidatesWithoutModel(ctx.snapshots.current!, st.key!, r.type);
}

export function modelRoutes(ctx: GatewayContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    // bodies stay raw bytes: forwarded as they came unless routing has to change them
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.env.BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));
    for (const r of MODEL_ROUTES) {
      app.post(r.url, { config: { route: r.route } }, (request, reply) => handle(ctx, r, request, reply));
    }
  };
}

async function handle(ctx: GatewayContext, r: ModelRoute, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const st = request.relay!;
  const raw = request.body as Buffer | undefined;
  const settings = ctx.snapshots.current!.settings;
  st.ex.requestBody = captureBuffer(raw, settings.captureMaxBytes, request.headers['content-type'], ctx.captureBudget, st.ex);
  const { body, fields } = readJsonFields(raw);
  const model = fields.model?.value || null;
  if (fields.user !== null || fields.metadata !== null) st.ex.attribution = withBodyAttribution(st.ex.attribution, fields.user, fields.metadata);
  const candidates = model === null ? withoutModel(ctx, st, r) : route(ctx, request, model, r.type);
  const limitHeaders = await admit(ctx, st);
  // usage for every chat stream: ask for it when the client did not, and hide that chunk from the client
  const wantsUsage = fields.stream && (r.route === 'chat.completions' || r.route === 'completions') && fields.streamOptions?.value?.include_usage !== true;
  const inject = (c: Candidate) => wantsUsage && c.provider.injectStreamUsage;
  const bodies = new Map<string, Buffer>();
  const bodyFor = (c: Candidate): Buffer => {
    const rename = model === null || c.upstreamModel === model ? null : c.upstreamModel;
    if (rename === null && !inject(c)) return body;
    const k = `${c.upstreamModel}\0${inject(c)}`;
    let b = bodies.get(k);
    if (!b) {
      b = rewriteBody(body, fields, rename, inject(c));
      bodies.set(k, b);
    }
    return b;
  };
  await runProxy(
    ctx,
    request,
    reply,
    { candidates, method: 'POST', subpath: r.subpath, headers: request.headers, body: bodyFor, replayable: true, strip: inject },
    limitHeaders,
  );
}
