import type { Attributes } from '@opentelemetry/api';
import type { Route, StoredLog } from '@llm-relay/contracts';
import { answerText, requestTexts } from '../logs/texts.ts';

/**
 * One stored log as an OpenTelemetry GenAI client span (semantic conventions for generative AI, "Inference"
 * and "Embeddings" spans): the name, the `gen_ai.*` attributes, and the relay's own attribution under
 * `llm_relay.*`. Pure, so the mapping is tested without an exporter.
 */
export interface GenAiSpanData {
  name: string;
  attributes: Attributes;
  /** `error.type` when the exchange failed; the span status is then ERROR with `errorMessage` */
  errorType: string | null;
  errorMessage: string | null;
  /** the redacted prompt and answer, only when bodies are exported */
  bodies: { input: string; output: string } | null;
}

/** `gen_ai.operation.name` per route; routes that are not a model call (model list, passthrough) have none. */
const OPERATION: Partial<Record<Route, string>> = {
  'chat.completions': 'chat',
  responses: 'chat',
  messages: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
};

export interface GenAiSpanOptions {
  /** null: bodies are not exported */
  bodyMaxChars: number | null;
}

export function genAiSpan(log: StoredLog, opts: GenAiSpanOptions): GenAiSpanData {
  const operation = OPERATION[log.route] ?? null;
  const req = isObj(log.request.body) ? log.request.body : {};
  const res = isObj(log.response.body) ? log.response.body : {};
  const a: Attributes = {};
  const set = (k: string, v: string | number | boolean | string[] | null | undefined) => {
    if (v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0)) a[k] = v;
  };

  set('gen_ai.operation.name', operation);
  // The wire format the client spoke: the relay forwards OpenAI-shaped routes to OpenAI-compatible providers
  // and /v1/messages to Anthropic-compatible ones. The relay's own provider name is llm_relay.provider.
  set('gen_ai.provider.name', log.route === 'messages' ? 'anthropic' : 'openai');
  set('gen_ai.request.model', log.model);
  set('gen_ai.response.model', typeof res.model === 'string' ? res.model : null);
  set('gen_ai.response.id', typeof res.id === 'string' ? res.id : null);
  set('gen_ai.response.finish_reasons', finishReasons(log.route, res));
  set('gen_ai.request.max_tokens', num(req.max_completion_tokens) ?? num(req.max_tokens) ?? num(req.max_output_tokens));
  set('gen_ai.request.temperature', num(req.temperature));
  set('gen_ai.request.top_p', num(req.top_p));
  set('gen_ai.usage.input_tokens', log.usage.prompt);
  set('gen_ai.usage.output_tokens', log.usage.completion);
  set('gen_ai.usage.cache_read.input_tokens', log.usage.cached);
  set('http.request.method', log.method);
  set('http.response.status_code', log.status);
  set('user_agent.original', log.userAgent);

  const attribution = log.attribution;
  set('user.id', attribution?.user);
  set('session.id', attribution?.session);
  set('gen_ai.conversation.id', attribution?.session);
  set('llm_relay.tags', attribution?.tags);
  for (const [k, v] of Object.entries(attribution?.properties ?? {})) set(`llm_relay.property.${k}`, v);
  set('llm_relay.prompt.family', log.prompt?.familyName);
  set('llm_relay.prompt.version', log.prompt?.versionLabel);
  set('llm_relay.log_id', log.id);
  set('llm_relay.route', log.route);
  set('llm_relay.provider', log.provider);
  set('llm_relay.upstream_model', log.upstreamModel);
  set('llm_relay.key.id', log.key?.id);
  set('llm_relay.key.name', log.key?.name);
  set('llm_relay.outcome', log.outcome);
  set('llm_relay.stream', log.stream);
  set('llm_relay.usage.source', log.usage.source);
  set('llm_relay.cost.usd', log.cost.usd);
  set('llm_relay.ttft_ms', log.latency.ttft);
  set('llm_relay.gateway_id', log.gatewayId);

  const failed = log.outcome !== 'ok' || log.status >= 400;
  // error.type is low-cardinality: the HTTP status when one came back, else how the exchange ended
  const errorType = failed ? (log.status >= 400 ? String(log.status) : log.outcome) : null;
  if (errorType) set('error.type', errorType);

  const name = operation ? `${operation} ${log.model ?? ''}`.trim() : `${log.method} ${log.route}`;
  let bodies: GenAiSpanData['bodies'] = null;
  if (opts.bodyMaxChars !== null && !log.bodiesExpired) {
    // the stored bodies are already redacted, so the texts taken from them are too
    bodies = { input: cap(requestTexts(log.route, log.request.body).prompt, opts.bodyMaxChars), output: cap(answerText(log.route, log.response.body), opts.bodyMaxChars) };
  }
  return { name, attributes: a, errorType, errorMessage: failed ? (log.error ?? errorType) : null, bodies };
}

function finishReasons(route: Route, res: Record<string, unknown>): string[] {
  if (route === 'messages') return typeof res.stop_reason === 'string' ? [res.stop_reason] : [];
  if (route === 'responses') return typeof res.status === 'string' ? [res.status] : [];
  if (!Array.isArray(res.choices)) return [];
  return res.choices.flatMap((c) => (isObj(c) && typeof c.finish_reason === 'string' ? [c.finish_reason] : []));
}

function cap(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
