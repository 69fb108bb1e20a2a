import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../src/index.ts';

let mock: MockProvider;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'What is the weather?' }];

beforeAll(async () => {
  mock = await createMockProvider();
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test-123', maxRetries: 0 });
});
afterAll(() => mock.close());

describe('chat completions through the official SDK', () => {
  it('answers deterministically with usage and records the request', async () => {
    const a = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    const b = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(a.object).toBe('chat.completion');
    expect(a.model).toBe('gpt-4o-mini');
    expect(a.choices[0]!.message.content).toMatch(/^Hello! You said: What is the weather\?/);
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(a.choices[0]!.finish_reason).toBe('stop');
    expect(a.usage!.total_tokens).toBe(a.usage!.prompt_tokens + a.usage!.completion_tokens);
    const rec = mock.requests.at(-1)!;
    expect(rec.method).toBe('POST');
    expect(rec.path).toBe('/v1/chat/completions');
    expect(rec.headers.authorization).toBe('Bearer sk-test-123');
    expect((rec.json as { messages: unknown }).messages).toEqual(messages);
    expect(rec.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('streams a role chunk, N content chunks, a finish chunk and an OpenAI-shaped usage chunk', async () => {
    const stream = await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-mock-chunks': '5' } },
    );
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks).toHaveLength(1 + 5 + 1 + 1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.slice(1, 6).every((c) => typeof c.choices[0]!.delta.content === 'string' && c.choices[0]!.delta.content !== '')).toBe(true);
    expect(chunks[6]!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.slice(0, 7).every((c) => c.usage === null)).toBe(true);
    const last = chunks[7]!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBeGreaterThan(0);
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
  });

  it('leaves usage out of a stream unless include_usage asks, and out of everything with x-mock-no-usage', async () => {
    const stream = await client.chat.completions.create({ model: 'm', messages, stream: true });
    for await (const c of stream) expect(c.usage).toBeUndefined();
    const plain = await client.chat.completions.create({ model: 'm', messages }, { headers: { 'x-mock-no-usage': '1' } });
    expect(plain.usage).toBeUndefined();
  });

  it('builds the same message from a stream (finalChatCompletion) as the non-streamed answer, for tool calls', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
    const headers = { 'x-mock-tool-calls': '2' };
    const plain = await client.chat.completions.create({ model: 'm', messages, tools }, { headers });
    const final = await client.chat.completions.stream({ model: 'm', messages, tools }, { headers }).finalChatCompletion();
    expect(plain.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.message.tool_calls).toEqual(plain.choices[0]!.message.tool_calls);
    const call = plain.choices[0]!.message.tool_calls![1]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ location: 'City 1', unit: 'celsius', call: 1 });
  });

  it('repeats id and name as empty strings on later fragments in DashScope style, and the SDK still keeps them', async () => {
    const stream = await client.chat.completions.create({ model: 'qwen-plus', messages, stream: true }, { headers: { 'x-mock-tool-calls': '1', 'x-mock-dashscope': '1' } });
    const deltas = [];
    for await (const c of stream) deltas.push(...(c.choices[0]?.delta.tool_calls ?? []));
    expect(deltas[0]!.id).toMatch(/^call_/);
    expect(deltas.slice(1).every((d) => d.id === '' && d.function?.name === '')).toBe(true);
    const final = await client.chat.completions.stream({ model: 'qwen-plus', messages }, { headers: { 'x-mock-tool-calls': '1', 'x-mock-dashscope': '1' } }).finalChatCompletion();
    const tc = final.choices[0]!.message.tool_calls![0]!;
    expect(tc.id).toBe(deltas[0]!.id);
    expect(tc.type === 'function' && tc.function.name).toBe('get_weather');
  });

  it('sends reasoning_content (message and deltas) and counts reasoning tokens', async () => {
    const plain = await client.chat.completions.create({ model: 'o3-mini', messages }, { headers: { 'x-mock-reasoning': '1' } });
    const reasoning = (plain.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content;
    expect(reasoning).toContain('Thinking about');
    expect(plain.usage!.completion_tokens_details!.reasoning_tokens).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({ model: 'o3-mini', messages, stream: true }, { headers: { 'x-mock-reasoning': '1' } });
    let streamed = '';
    for await (const c of stream) streamed += (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    expect(streamed).toBe(reasoning);
  });

  it('returns logprobs when asked, in both modes', async () => {
    const plain = await client.chat.completions.create({ model: 'm', messages, logprobs: true, top_logprobs: 2 });
    const lp = plain.choices[0]!.logprobs!.content!;
    expect(lp.map((t) => t.token).join('')).toBe(plain.choices[0]!.message.content);
    expect(lp[0]!.top_logprobs).toHaveLength(2);
    const final = await client.chat.completions.stream({ model: 'm', messages, logprobs: true, top_logprobs: 2 }).finalChatCompletion();
    expect(final.choices[0]!.logprobs!.content!.map((t) => t.token).join('')).toBe(final.choices[0]!.message.content);
  });

  it('answers n choices', async () => {
    const plain = await client.chat.completions.create({ model: 'm', messages, n: 3 });
    expect(plain.choices.map((c) => c.index)).toEqual([0, 1, 2]);
    const final = await client.chat.completions.stream({ model: 'm', messages, n: 2 }).finalChatCompletion();
    expect(final.choices[1]!.message.content).toBe(final.choices[0]!.message.content);
  });
});
