import type { ExchangeEvent, RedactionType, Settings, StoredAttribution, StoredLog } from '@llm-relay/contracts';
import { isObj, parseBody, reassembleResponse } from '../reassembly/index.ts';
import { computeUsage } from '../usage/usage.ts';
import { computeCost, priceFor } from '../pricing/pricing.ts';
import { answerText, reasoningText, requestTexts } from './texts.ts';
import { hasCut } from './depth.ts';
import { redactUrlPath } from '../redaction/url-path.ts';

export type RedactionCounts = Partial<Record<RedactionType, number>>;
/** The shape of the PII redactor (features/redaction); null when redaction is off. */
export interface Redactor {
  redactText(s: string): { text: string; counts: RedactionCounts };
  redactJson(v: unknown): { value: unknown; counts: RedactionCounts };
}

export interface BuildOptions {
  settings: Settings;
  redactor: Redactor | null;
  keepEmbeddingVectors: boolean;
}

export const PREVIEW_CHARS = 300;
const SEARCH_TEXT_MAX = 100_000;

/** One exchange event → the document we store. Pure: everything it needs is in the event and the options. */
export function buildLog(event: ExchangeEvent, opts: BuildOptions): StoredLog {
  const { settings, redactor } = opts;
  // every parse is cut at JSON_DEPTH_MAX (depth.ts): a cut body is stored, flagged `truncated`
  let requestBody = parseBody(event.request.body);
  const r = reassembleResponse(event, { keepEmbeddingVectors: opts.keepEmbeddingVectors });
  let responseBody = r.body;
  const requestCut = hasCut(requestBody);
  const responseCut = hasCut(responseBody);
  const req = requestTexts(event.route, requestBody);
  let answer = answerText(event.route, responseBody);
  // Tokens are counted on the real text, before placeholders replace any of it.
  const usage = computeUsage({
    route: event.route,
    status: event.response.status,
    responseBody,
    usageInjected: event.response.usageInjected === true,
    promptText: req.prompt,
    requestBody,
    answerText: answer,
    reasoningText: reasoningText(event.route, responseBody),
  });
  const responseModel = isObj(responseBody) && typeof responseBody.model === 'string' ? responseBody.model : null;
  const cost = computeCost(usage, priceFor([event.upstreamModel, responseModel, event.model], event.startedAt, settings.priceOverrides));

  let lastUser = req.lastUser;
  let prompt = req.prompt;
  let rawStream = settings.keepRawStream ? r.rawStream : null;
  // the provider's own message says more than the gateway's "upstream answered 400"
  let error = r.streamError ?? errorFromBody(event.response.status, responseBody) ?? event.error ?? (event.response.status >= 400 ? `HTTP ${event.response.status}` : null);
  let path = event.request.path;
  let userAgent = event.userAgent ?? null;
  let requestHeaders = event.request.headers;
  let responseHeaders = event.response.headers;
  let attribution = storedAttribution(event.attribution);
  const redactions: Record<string, number> = {};
  if (redactor) {
    const rq = redactor.redactJson(requestBody);
    const rs = redactor.redactJson(responseBody);
    requestBody = rq.value;
    responseBody = rs.value;
    // Counts come from the bodies only: previews, search text and the raw stream repeat the same text.
    for (const c of [rq.counts, rs.counts]) for (const [k, n] of Object.entries(c)) redactions[k] = (redactions[k] ?? 0) + (n ?? 0);
    lastUser = redactor.redactText(lastUser).text;
    prompt = redactor.redactText(prompt).text;
    answer = redactor.redactText(answer).text;
    if (rawStream !== null) rawStream = redactor.redactText(rawStream).text;
    if (error !== null) error = redactor.redactText(error).text;
    // client-chosen text outside the bodies: the path with its query string, the user-agent, header values
    path = redactUrlPath(path, (t) => redactor.redactText(t).text);
    if (userAgent !== null) userAgent = redactor.redactText(userAgent).text;
    requestHeaders = redactHeaders(redactor, requestHeaders);
    responseHeaders = redactHeaders(redactor, responseHeaders);
    attribution = redactAttribution(redactor, attribution);
  }

  const { startedAt, upstreamHeadersAt, firstByteAt, endedAt } = event;
  const lastAttempt = event.attempts.at(-1);
  return {
    id: event.id,
    createdAt: event.startedAt,
    route: event.route,
    method: event.request.method,
    path,
    model: event.model,
    upstreamModel: event.upstreamModel,
    provider: event.provider,
    key: event.key,
    status: event.response.status,
    outcome: event.outcome,
    stream: event.response.stream,
    incomplete: r.incomplete,
    error,
    usage,
    cost,
    latency: {
      total: Math.max(0, endedAt - startedAt),
      ttft: firstByteAt !== null ? Math.max(0, firstByteAt - startedAt) : null,
      // from the start of the attempt that answered to its response headers
      upstream: upstreamHeadersAt !== null ? Math.max(0, upstreamHeadersAt - (lastAttempt?.startedAt ?? startedAt)) : null,
    },
    requestPreview: preview(lastUser),
    responsePreview: preview(answer || (error ?? '')),
    clientIp: event.clientIp ?? null,
    userAgent,
    gatewayId: event.gatewayId ?? null,
    attribution,
    // the prompt family/version detection sets this; scores arrive later (feedback)
    prompt: null,
    scores: {},
    timing: { startedAt, upstreamHeadersAt, firstByteAt, endedAt },
    attempts: event.attempts,
    request: { headers: requestHeaders, body: requestBody, bytes: event.request.body.bytes, truncated: event.request.body.truncated || requestCut },
    response: { headers: responseHeaders, body: responseBody, bytes: event.response.body.bytes, truncated: event.response.body.truncated || responseCut, rawStream },
    redactions,
    searchText: [prompt, answer].filter(Boolean).join('\n').slice(0, SEARCH_TEXT_MAX),
  };
}

function redactHeaders(redactor: Redactor, headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = redactor.redactText(value).text;
  return out;
}

/**
 * Attribution values are client text like any other (a user id is often an e-mail address). A redacted value
 * becomes its placeholder, so users redacted alike group together: send opaque ids to keep them apart.
 * Property names are not redacted: they are bounded to `[a-z0-9_-]{1,64}` by the gateway.
 */
function redactAttribution(redactor: Redactor, a: StoredAttribution): StoredAttribution {
  const text = (v: string): string => redactor.redactText(v).text;
  return {
    user: a.user === null ? null : text(a.user),
    session: a.session === null ? null : text(a.session),
    tags: a.tags.map(text),
    properties: Object.fromEntries(Object.entries(a.properties).map(([name, value]) => [name, text(value)])),
  };
}

/** Stored attribution is always present: empty when the event had none (or came from an older gateway). */
export function storedAttribution(a: ExchangeEvent['attribution']): StoredAttribution {
  return { user: a?.user ?? null, session: a?.session ?? null, tags: a?.tags ?? [], properties: a?.properties ?? {} };
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS - 1)}…`;
}

function errorFromBody(status: number, body: unknown): string | null {
  if (status < 400) return null;
  if (isObj(body) && isObj(body.error) && typeof body.error.message === 'string') return body.error.message;
  if (isObj(body) && typeof body.message === 'string') return body.message;
  return null;
}
