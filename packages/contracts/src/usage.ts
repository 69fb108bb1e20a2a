import { parseSse } from './sse.ts';
import type { Usage } from './stored-log.ts';
import type { Route } from './exchange-event.ts';

/** Token counts as a provider reported them, normalised; absent numbers stay null. */
export type UsageCounts = Omit<Usage, 'source'>;

/** The routes whose calls are counted in tokens (the others, like files or models, use none). */
export const TOKEN_ROUTES: ReadonlySet<Route> = new Set<Route>(['chat.completions', 'responses', 'completions', 'messages', 'embeddings']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
const sum = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/**
 * Usage as the provider reported it, normalised across OpenAI chat/completions (`prompt_tokens`), the
 * Responses API (`input_tokens`), and Anthropic (`input_tokens` excludes cache reads and writes, so they
 * are added back to make `prompt` mean all input tokens everywhere). Absent numbers stay null. The log
 * processor reads stored logs with it and the gateway counts a key's tokens per minute with it.
 */
export function providerUsage(body: unknown): UsageCounts | null {
  if (!isObj(body) || !isObj(body.usage)) return null;
  const u = body.usage;
  const details = (k: string) => (isObj(u[k]) ? u[k] : {});
  if ('prompt_tokens' in u || 'completion_tokens' in u) {
    const prompt = num(u.prompt_tokens);
    const completion = num(u.completion_tokens) ?? (prompt !== null && num(u.total_tokens) !== null ? num(u.total_tokens)! - prompt : null);
    return {
      prompt,
      completion,
      total: num(u.total_tokens) ?? sum(prompt, completion),
      // DeepSeek reports cache hits at the top level
      cached: num(details('prompt_tokens_details').cached_tokens) ?? num(u.prompt_cache_hit_tokens) ?? num(u.cached_tokens),
      reasoning: num(details('completion_tokens_details').reasoning_tokens),
    };
  }
  if ('input_tokens' in u || 'output_tokens' in u) {
    const cacheRead = num(u.cache_read_input_tokens);
    const cacheWrite = num(u.cache_creation_input_tokens);
    const isAnthropic = cacheRead !== null || cacheWrite !== null || body.type === 'message';
    const input = num(u.input_tokens);
    const prompt = isAnthropic && input !== null ? input + (cacheRead ?? 0) + (cacheWrite ?? 0) : input;
    const completion = num(u.output_tokens);
    return {
      prompt,
      completion,
      total: num(u.total_tokens) ?? sum(prompt, completion),
      cached: isAnthropic ? cacheRead : num(details('input_tokens_details').cached_tokens),
      reasoning: num(details('output_tokens_details').reasoning_tokens),
    };
  }
  return null;
}

/**
 * The usage a stream carried, for `providerUsage`: the chat chunk with `usage`, the Responses API's
 * `response.completed`, or Anthropic's `message_start` (input) merged with its `message_delta` (output).
 * Only events that mention usage are parsed.
 */
function streamUsageBody(text: string): Obj | null {
  const usage: Obj = {};
  let found = false;
  let anthropic = false;
  for (const { data } of parseSse(text).events) {
    if (!data.includes('"usage"')) continue;
    let v: unknown;
    try {
      v = JSON.parse(data);
    } catch {
      continue;
    }
    if (!isObj(v)) continue;
    if (isObj(v.message) && v.message.type === 'message') anthropic = true;
    for (const u of [v.usage, isObj(v.response) ? v.response.usage : null, isObj(v.message) ? v.message.usage : null]) {
      if (!isObj(u)) continue;
      found = true;
      for (const [k, x] of Object.entries(u)) if (x !== null) usage[k] = x;
    }
  }
  return found ? { usage, ...(anthropic ? { type: 'message' } : {}) } : null;
}

/** Provider usage of a captured response: a JSON body, or an SSE stream. Null when it reported none. */
export function capturedUsage(text: string, stream: boolean): UsageCounts | null {
  if (!text.includes('"usage"')) return null;
  if (stream) return providerUsage(streamUsageBody(text));
  try {
    return providerUsage(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Keys whose string values are text a model reads or writes (messages, deltas, tool arguments). */
const TEXT_KEYS = new Set(['content', 'text', 'input', 'prompt', 'instructions', 'system', 'arguments', 'partial_json', 'refusal', 'thinking', 'delta', 'output']);

/** Characters of the strings held (directly, or in an array) by a text key, at any depth; nothing else counts. */
function textChars(v: unknown, underTextKey: boolean, depth = 0): number {
  if (typeof v === 'string') return underTextKey ? v.length : 0;
  if (depth > 64) return 0;
  if (Array.isArray(v)) return v.reduce<number>((n, x) => n + textChars(x, underTextKey, depth + 1), 0);
  if (!isObj(v)) return 0;
  let n = 0;
  for (const [k, x] of Object.entries(v)) n += textChars(x, TEXT_KEYS.has(k), depth + 1);
  return n;
}

/** What estimates count: about four characters a token, OpenAI's rule of thumb for English text. */
const CHARS_PER_TOKEN = 4;

/**
 * Tokens of an exchange whose provider reported no usage, from its text: the characters of the request's
 * messages (not its images or JSON framing) and of the answer (deltas of a stream summed), at four
 * characters a token. A body that is not JSON (cut at the capture limit, say) counts whole. An estimate:
 * the processor stores a tokenizer count for the log; this is what a rate limit can afford per request.
 */
export function estimateTokens(requestText: string, responseText: string, stream: boolean): number {
  const chars = (text: string) => {
    try {
      return textChars(JSON.parse(text), false);
    } catch {
      return text.length;
    }
  };
  const answer = stream ? parseSse(responseText).events.reduce((n, e) => n + (e.data === '[DONE]' ? 0 : chars(e.data)), 0) : chars(responseText);
  return Math.ceil((chars(requestText) + answer) / CHARS_PER_TOKEN);
}
