import { countTokens } from 'gpt-tokenizer';
import { TOKEN_ROUTES, providerUsage, type Route, type Usage } from '@llm-relay/contracts';
import { isObj } from '../reassembly/index.ts';

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
