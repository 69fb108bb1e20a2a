import { parseSse, type CapturedBody, type ExchangeEvent, type Route, type SseEvent } from '@llm-relay/contracts';
import { tryJson } from './sse.ts';
import { reassembleChatStream, type StreamResult } from './chat.ts';
import { reassembleResponsesStream } from './responses.ts';
import { reassembleAnthropicStream } from './anthropic.ts';
import { reassembleCompletionsStream } from './completions.ts';
import { summarizeEmbeddings } from './embeddings.ts';

export { isObj } from './chat.ts';

export interface ReassembleOptions {
  /** keep embedding vectors in the stored response (off: count and dimensions only) */
  keepEmbeddingVectors: boolean;
}

export interface ReassembledResponse {
  body: unknown;
  /** the answer is partial: the stream was cut, the capture truncated, or the exchange aborted */
  incomplete: boolean;
  /** an error the stream carried (SSE `error` event, `response.failed`) */
  streamError: string | null;
  /** the raw SSE text, for keepRawStream */
  rawStream: string | null;
}

const STREAMERS: Partial<Record<Route, (events: SseEvent[]) => StreamResult>> = {
  'chat.completions': reassembleChatStream,
  responses: reassembleResponsesStream,
  messages: reassembleAnthropicStream,
  completions: reassembleCompletionsStream,
};

const CUT_OUTCOMES = new Set(['client_abort', 'upstream_error', 'timeout']);

/** Turn the captured response into what a reader wants to see: one JSON document per exchange. */
export function reassembleResponse(event: ExchangeEvent, opts: ReassembleOptions): ReassembledResponse {
  const captured = event.response.body;
  const text = captured.text;
  const cut = captured.truncated || CUT_OUTCOMES.has(event.outcome);
  const isSse = event.response.stream && text !== undefined && !looksLikeJson(text);
  if (isSse) {
    const streamer = STREAMERS[event.route];
    if (streamer) {
      const { events } = parseSse(text);
      const r = streamer(events);
      return { body: r.body, incomplete: r.incomplete || cut, streamError: r.error, rawStream: text };
    }
    return { body: sseSummary(text, captured), incomplete: cut, streamError: null, rawStream: text };
  }
  let body = parseBody(captured);
  // An error status with a whole JSON body is a complete answer even though the outcome says upstream_error;
  // a body that broke off does not parse, and an exchange aborted before any answer has none.
  const wholeJson = text !== undefined && looksLikeJson(text) && typeof body === 'object' && body !== null;
  const incomplete = captured.truncated || (CUT_OUTCOMES.has(event.outcome) && !(wholeJson && event.response.status >= 400));
  if (event.route === 'embeddings') body = summarizeEmbeddings(body, opts.keepEmbeddingVectors);
  return { body, incomplete, streamError: null, rawStream: null };
}

/** A captured body as JSON when it is JSON, else its text (cut bodies stay text), else its summary. */
export function parseBody(captured: CapturedBody): unknown {
  if (captured.text === undefined) {
    return { omitted: true, contentType: captured.contentType ?? null, bytes: captured.bytes, ...(captured.summary ? { summary: captured.summary } : {}) };
  }
  if (captured.text === '') return null;
  if (looksLikeJson(captured.text)) {
    const parsed = tryJson(captured.text);
    if (parsed !== undefined) return parsed;
  }
  const ct = captured.contentType ?? '';
  if (ct.includes('json') || ct.startsWith('text/') || ct === '') return captured.text;
  return { omitted: true, contentType: ct, bytes: captured.bytes, preview: captured.text.slice(0, 2000) };
}

function looksLikeJson(text: string): boolean {
  const c = text.trimStart()[0];
  return c === '{' || c === '[';
}

/** Pass-through streams we do not understand: keep the events' JSON payloads, not the framing. */
function sseSummary(text: string, captured: CapturedBody): unknown {
  const { events } = parseSse(text);
  return { stream: true, contentType: captured.contentType ?? 'text/event-stream', eventCount: events.length, events: events.slice(0, 200).map((e) => ({ event: e.event, data: tryJson(e.data) ?? e.data })) };
}
