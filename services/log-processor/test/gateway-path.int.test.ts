/**
 * What the client got is what is stored: the official SDK talks to the real gateway, which relays to the
 * mock provider and queues the exchange; this processor stores it. The stored response must equal what
 * the SDK's `finalChatCompletion()` built on the client side, for tool calls, DashScope-style fragments,
 * reasoning, and a stream cut by the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { ChatCompletionStream } from 'openai/lib/ChatCompletionStream';
import type { StoredLog } from '@llm-relay/contracts';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { publishSnapshot, readSnapshot } from '@llm-relay/server-kit';
import { REDIS_URL, startHarness, type Harness } from './helpers/harness.ts';

const PROXY_KEY = 'sk-lp-gateway-path-key';
let stack: RelayStack;
let h: Harness;
let client: OpenAI;

beforeAll(async () => {
  // the processor runs in this test (its store is read directly), so the stack starts only the gateway
  stack = await startRelayStack({ label: 'lp-gw', redisUrl: REDIS_URL, proxyKey: PROXY_KEY, parts: [] });
  h = await startHarness({ prefix: stack.prefix, databaseUrl: stack.databaseUrl });
  await stack.startPart('gateway');
  client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: PROXY_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await stack?.stopPart('gateway');
  await h?.close();
  await stack?.stop();
});

const storedFor = (requestId: string) => waitFor(() => h.processor.store.getLog(requestId), { what: `log ${requestId}` }) as Promise<StoredLog>;

async function streamThrough(headers: Record<string, string>) {
  const { data, response } = await client.chat.completions
    .create(
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'What is the weather in Paris?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }] },
      { headers },
    )
    .withResponse();
  // the SDK's own accumulator over the chunks this client received
  const runner = ChatCompletionStream.fromReadableStream(data.toReadableStream());
  const completion = structuredClone(await runner.finalChatCompletion()) as unknown as { choices: { message: Record<string, unknown> }[] };
  for (const c of completion.choices) delete c.message.parsed;
  return { completion, requestId: response.headers.get('x-request-id') };
}

function withoutReasoning(v: unknown) {
  const c = structuredClone(v) as { choices: { message: Record<string, unknown> }[] };
  for (const ch of c.choices) {
    delete ch.message.reasoning_content;
    delete ch.message.reasoning;
  }
  return c;
}

describe('SDK → gateway → mock → queue → processor', () => {
  const cases: Record<string, Record<string, string>> = {
    'parallel tool calls': { 'x-mock-tool-calls': '2' },
    'DashScope fragments with reasoning': { 'x-mock-tool-calls': '1', 'x-mock-dashscope': '1', 'x-mock-reasoning': '1' },
    'plain answer in many chunks': { 'x-mock-chunks': '24' },
  };
  for (const [name, headers] of Object.entries(cases)) {
    it(`${name}: the stored completion equals the client's finalChatCompletion()`, async () => {
      const { completion, requestId } = await streamThrough(headers);
      expect(requestId).toBeTruthy();
      const log = await storedFor(requestId!);
      expect(log.incomplete).toBe(false);
      // the gateway asked for the usage chunk itself and kept it from the client: only the log has it
      expect(log.usage.source).toBe('injected');
      const { usage, ...storedBody } = log.response.body as Record<string, unknown>;
      expect(usage).toMatchObject({ total_tokens: log.usage.total });
      expect(withoutReasoning(storedBody)).toEqual(withoutReasoning(completion));
    });
  }

  it('a stream the provider cuts is stored with what the client received, marked incomplete', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'cut me off' }] }, { headers: { 'x-mock-cut-after': '3', 'x-mock-chunks': '10' } })
      .withResponse();
    let received = '';
    try {
      for await (const chunk of stream) received += chunk.choices[0]?.delta?.content ?? '';
    } catch {
      // the SDK surfaces the cut as an error; the relay must still log what arrived
    }
    const log = await storedFor(response.headers.get('x-request-id')!);
    expect(log.incomplete).toBe(true);
    expect((log.response.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(received);
  });

  it('Responses API stream: the stored response is the one response.completed carried to the client', async () => {
    const { data: stream, response } = await client.responses.create({ model: 'gpt-4o-mini', input: 'Tell me a fact', stream: true }).withResponse();
    let final: unknown = null;
    for await (const ev of stream) if (ev.type === 'response.completed') final = ev.response;
    expect(final).not.toBeNull();
    const log = await storedFor(response.headers.get('x-request-id')!);
    expect(log.route).toBe('responses');
    expect(log.incomplete).toBe(false);
    expect(log.response.body).toEqual(final);
    expect(log.requestPreview).toBe('Tell me a fact');
    expect(log.usage.source).toBe('provider');
  });

  it('embeddings with the SDK default (base64): count and dimensions stored, vectors not', async () => {
    const { data, response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['first text', 'second text'] }).withResponse();
    const log = await storedFor(response.headers.get('x-request-id')!);
    expect(log.response.body).toMatchObject({ data: [], embeddings: { count: 2, dimensions: data.data[0]!.embedding.length, encoding: 'base64' } });
    expect(log.usage.prompt).toBe(data.usage.prompt_tokens);
  });

  it('legacy completions stream: the stored text is what the client received', async () => {
    const { data: stream, response } = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Once upon a time', stream: true }).withResponse();
    let received = '';
    for await (const chunk of stream) received += chunk.choices[0]?.text ?? '';
    const log = await storedFor(response.headers.get('x-request-id')!);
    expect(log.route).toBe('completions');
    expect((log.response.body as { choices: { text: string }[] }).choices[0]!.text).toBe(received);
    expect(log.incomplete).toBe(false);
  });

  it('Anthropic Messages stream: one message with the text the client received and usage from message_delta', async () => {
    const snap = (await readSnapshot(h.redis, h.prefix))!;
    const openaiProvider = snap.providers[0]!;
    await publishSnapshot(h.redis, h.prefix, {
      ...snap,
      version: snap.version + 1,
      writtenAt: Date.now(),
      providers: [...snap.providers, { ...openaiProvider, id: 'anthropic-mock', name: 'anthropic-mock', type: 'anthropic', models: [{ match: 'claude-*' }] }],
    });
    const send = () =>
      fetch(`${client.baseURL}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': PROXY_KEY, authorization: `Bearer ${PROXY_KEY}`, 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'Hello Claude' }] }),
      });
    // the gateway picks the new provider up from the change notice
    const res = await waitFor(async () => {
      const r = await send();
      if (r.status === 200) return r;
      await r.body?.cancel();
      return null;
    }, { what: 'messages route served' });
    const sse = await res.text();
    const received = [...sse.matchAll(/"text_delta","text":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string).join('');
    expect(received.length).toBeGreaterThan(0);
    const log = await storedFor(res.headers.get('x-request-id')!);
    expect(log.route).toBe('messages');
    expect(log.incomplete).toBe(false);
    expect(log.responsePreview).toBe(received.replace(/\s+/g, ' ').trim().slice(0, 300));
    expect(log.usage.source).toBe('provider');
    expect(log.usage.completion).toBeGreaterThan(0);
  });

  it('a Responses stream cut before response.completed is rebuilt from the deltas and marked incomplete', async () => {
    const { data: stream, response } = await client.responses
      .create({ model: 'gpt-4o-mini', input: 'cut this one', stream: true }, { headers: { 'x-mock-cut-after': '6', 'x-mock-chunks': '12' } })
      .withResponse();
    let received = '';
    try {
      for await (const ev of stream) if (ev.type === 'response.output_text.delta') received += ev.delta;
    } catch {
      // the cut reaches the SDK as an error
    }
    expect(received.length).toBeGreaterThan(0);
    const log = await storedFor(response.headers.get('x-request-id')!);
    expect(log.incomplete).toBe(true);
    const body = log.response.body as { status: string; output: { content?: { text?: string }[] }[] };
    expect(body.status).toBe('incomplete');
    expect(body.output.flatMap((o) => o.content ?? []).map((c) => c.text ?? '').join('')).toBe(received);
  });
});
