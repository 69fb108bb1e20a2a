import { countTokens } from 'gpt-tokenizer';
import type { Route, Usage } from '@llm-relay/contracts';
import { isObj } from '../reassembly/index.ts';

type Counts = Omit<Usage, 'source'>;

const TOKEN_ROUTES = new Set<Route>(['chat.completions', 'responses', 'completions', 'messages', 'embeddings']);

/**
 * Usage as the provider reported it, normalised across OpenAI chat/completions (`prompt_tokens`), the
 * Responses API (`input_tokens`), and Anthropic (`input_tokens` excludes cache reads and writes, so they
 * are added back to make `prompt` mean all input tokens everywhere). Absent numbers stay null.
 */
export function providerUsage(body: unknown): Counts | null {
  if (!isObj(body) || !isObj(body.usage)) return null;
  const u = body.usage;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
  const details = (k: string) => (isObj(u[k]) ? (u[k] as Record<string, unknown>) : {});
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

export interface UsageInput {
  route: Route;
  status: number;
  responseBody: unknown;
  usageInjected: boolean;
  promptText: string;
  /** the request body: its message count and tool definitions also cost prompt tokens */
  requestBody?: unknown;
  answerText: string;
  reasoningText: string;
}

/**
 * Every log says where its numbers came from. When the provider gave none, count the text with a real
 * tokenizer (o200k) and say "estimated"; when there is nothing to count, "missing" with nulls — never a
 * zero that means unknown.
 */
export function computeUsage(input: UsageInput): Usage {
  const fromProvider = providerUsage(input.responseBody);
  if (fromProvider && (fromProvider.prompt !== null || fromProvider.completion !== null)) {
    return { ...fromProvider, source: input.usageInjected ? 'injected' : 'provider' };
  }
  const countable = TOKEN_ROUTES.has(input.route) && input.status < 400 && (input.promptText !== '' || input.answerText !== '');
  if (!countable) return { prompt: null, completion: null, total: null, cached: null, reasoning: null, source: 'missing' };
  const prompt = tokens(input.promptText) + promptOverhead(input.requestBody);
  const reasoning = input.reasoningText ? tokens(input.reasoningText) : null;
  const completion = input.route === 'embeddings' ? 0 : tokens(input.answerText) + (reasoning ?? 0);
  return { prompt, completion, total: prompt + completion, cached: null, reasoning, source: 'estimated' };
}

/**
 * What a chat prompt costs beyond its text: about 3 tokens of framing per message plus 3 to prime the
 * reply (OpenAI's published counting recipe), and the tool definitions, which the model reads as JSON.
 */
function promptOverhead(body: unknown): number {
  if (!isObj(body)) return 0;
  const messages = Array.isArray(body.messages) ? body.messages.length : Array.isArray(body.input) ? body.input.length : 0;
  const framing = messages > 0 ? messages * 3 + 3 : 0;
  return framing + (Array.isArray(body.tools) && body.tools.length > 0 ? tokens(JSON.stringify(body.tools)) : 0);
}

function tokens(text: string): number {
  // User text may contain special-token strings; count them as text instead of throwing.
  return text === '' ? 0 : countTokens(text, { disallowedSpecial: new Set() });
}

function sum(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}
