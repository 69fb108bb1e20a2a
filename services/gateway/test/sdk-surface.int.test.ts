import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { World } from './helpers.ts';

/**
 * Issue 9's SDK-level check. The openai package does not publish its generated API tests, so this file
 * makes the equivalent calls: every method of chat.completions, completions, embeddings, models and
 * responses (plus the SDK's stream/parse helpers), once through the relay and once straight at the mock
 * provider, and requires the same outcome from both.
 */
const w = new World();
let relay: OpenAI;
let direct: OpenAI;

beforeAll(async () => {
  const { base, key } = await w.startWithMock();
  relay = w.client(base, key.secret);
  direct = w.direct();
});
afterAll(() => w.close());

// the mock derives ids from the request body, which differs when the relay injected stream_options
const VOLATILE = new Set(['id', 'created', 'created_at', 'completed_at', 'system_fingerprint']);

/** The outcome of a call with time-dependent fields blanked, so relay and direct can be compared. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = VOLATILE.has(k) ? typeof x : normalise(x);
    return out;
  }
  return v;
}

async function outcome(call: (c: OpenAI) => Promise<unknown>, c: OpenAI): Promise<unknown> {
  try {
    return { ok: true, value: normalise(await call(c)) };
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { ok: false, status: err.status, type: err.type, code: err.code };
    return { ok: false, error: (err as Error).message };
  }
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

const msgs = [{ role: 'user' as const, content: 'Say this is a test' }];
const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

const CASES: Record<string, (c: OpenAI) => Promise<unknown>> = {
  'chat.completions.create': (c) => c.chat.completions.create({ model: 'gpt-4o', messages: msgs, temperature: 1, max_completion_tokens: 64, n: 1, user: 'u', metadata: { a: 'b' }, tools }),
  'chat.completions.create stream': async (c) => collect(await c.chat.completions.create({ model: 'gpt-4o', messages: msgs, stream: true })),
  'chat.completions.create stream with usage': async (c) => collect(await c.chat.completions.create({ model: 'gpt-4o', messages: msgs, stream: true, stream_options: { include_usage: true } })),
  'chat.completions.create stream tool calls': async (c) => collect(await c.chat.completions.create({ model: 'gpt-4o', messages: msgs, stream: true, tools }, { headers: { 'x-mock-tool-calls': '2' } })),
  'chat.completions.retrieve': (c) => c.chat.completions.retrieve('chatcmpl-sdk-1'),
  'chat.completions.update': (c) => c.chat.completions.update('chatcmpl-sdk-1', { metadata: { foo: 'string' } }),
  'chat.completions.list': async (c) => (await c.chat.completions.list({ after: 'after', limit: 0, metadata: { foo: 'string' }, model: 'model', order: 'asc' })).data,
  'chat.completions.delete': (c) => c.chat.completions.delete('chatcmpl-sdk-1'),
  'chat.completions.messages.list': async (c) => (await c.chat.completions.messages.list('chatcmpl-sdk-1', { after: 'after', limit: 0, order: 'asc' })).data,
  'chat.completions.parse': (c) => c.chat.completions.parse({ model: 'gpt-4o', messages: msgs }),
  'chat.completions.stream helper': async (c) => (await c.chat.completions.stream({ model: 'gpt-4o', messages: msgs }).finalChatCompletion()).choices[0]!.message.content,
  'completions.create': (c) => c.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'This is a test.', max_tokens: 16, logprobs: 2 }),
  'completions.create stream': async (c) => collect(await c.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'This is a test.', stream: true })),
  'embeddings.create (base64 default)': (c) => c.embeddings.create({ model: 'text-embedding-3-small', input: 'The quick brown fox jumped over the lazy dog' }),
  'embeddings.create float, dimensions': (c) => c.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float', dimensions: 8 }),
  'models.retrieve': (c) => c.models.retrieve('gpt-4o-mini'),
  'models.list': async (c) => ({ ok: Array.isArray((await c.models.list()).data) }),
  'models.delete': (c) => c.models.delete('ft:gpt-4o-mini:acemeco:suffix:abc123'),
  'responses.create': (c) => c.responses.create({ model: 'gpt-4o', input: 'Tell me a story', instructions: 'be brief', max_output_tokens: 64 }),
  'responses.create without a model (a stored prompt supplies it)': (c) => c.responses.create({}),
  'responses.create stream': async (c) => collect(await c.responses.create({ model: 'gpt-4o', input: 'Tell me a story', stream: true })),
  'responses.create function call stream': async (c) => collect(await c.responses.create({ model: 'gpt-4o', input: 'weather?', stream: true, tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: false }] }, { headers: { 'x-mock-tool-calls': '1' } })),
  'responses.retrieve': (c) => c.responses.retrieve('resp_sdk_1'),
  'responses.retrieve stream': async (c) => {
    const r = await c.responses.retrieve('resp_sdk_1', { stream: true });
    return Symbol.asyncIterator in Object(r) ? collect(r as AsyncIterable<unknown>) : r;
  },
  'responses.delete': (c) => c.responses.delete('resp_sdk_1'),
  'responses.cancel': (c) => c.responses.cancel('resp_sdk_1'),
  'responses.compact': (c) => c.responses.compact({ model: 'gpt-4o', input: 'compact me' }),
  'responses.inputItems.list': async (c) => (await c.responses.inputItems.list('resp_sdk_1', { limit: 5, order: 'asc' })).data,
  'responses.inputTokens.count': (c) => c.responses.inputTokens.count({ model: 'gpt-4o', input: 'count me' }),
  'responses.stream helper': async (c) => (await c.responses.stream({ model: 'gpt-4o', input: 'helper' }).finalResponse()).output_text,
  'responses.parse': async (c) => (await c.responses.parse({ model: 'gpt-4o', input: 'parse me' })).output_text,
};

describe('the official SDK gets the same outcome through the relay as straight from the provider', () => {
  for (const [name, call] of Object.entries(CASES)) {
    it(name, async () => {
      const viaRelay = await outcome(call, relay);
      const straight = await outcome(call, direct);
      expect(viaRelay).toEqual(straight);
    });
  }
});
