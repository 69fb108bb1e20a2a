import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  key = makeKey();
  await w.snapshot(
    [
      provider({ baseUrl: mock.url.replace(/\/v1$/, ''), models: [{ match: 'gpt-*' }, { match: 'fast', upstreamModel: 'gpt-4o-mini' }] }),
      provider({ id: 'no-inject', baseUrl: mock.url, models: [{ match: 'plain-model' }], injectStreamUsage: false }),
    ],
    [key.record],
  );
  base = await w.startGateway({ TRUST_PROXY: '127.0.0.1' });
});
afterAll(() => w.close());

describe('chat completions through the gateway', () => {
  it('answers a non-streamed completion and captures one event', async () => {
    const client = w.client(base, key.secret);
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi there' }] }).withResponse();
    expect(data.choices[0]!.message.content).toContain('You said: hi there');
    const id = response.headers.get('x-request-id')!;
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10000');
    const ev = await w.event(id);
    expect(ev.route).toBe('chat.completions');
    expect(ev.outcome).toBe('ok');
    expect(ev.response.status).toBe(200);
    expect(JSON.parse(ev.response.body.text!).choices[0].message.content).toBe(data.choices[0]!.message.content);
    expect(JSON.stringify(ev)).not.toContain(key.secret);
    expect(JSON.stringify(ev)).not.toContain('sk-upstream-1');
    expect(ev.key?.id).toBe(key.record.id);
    expect(ev.clientIp).toBe('127.0.0.1');
    expect(ev.userAgent).toMatch(/^OpenAI\/JS/);
    // the upstream got the provider key, never the relay key
    const up = w.mock.requests.at(-1)!;
    expect(up.headers.authorization).toBe('Bearer sk-upstream-1');
    expect(up.headers['x-api-key']).toBeUndefined();
  });

  it('takes the client IP from X-Forwarded-For set by a trusted proxy', async () => {
    const { response } = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ip' }] }, { headers: { 'x-forwarded-for': '203.0.113.9' } }).withResponse();
    expect((await w.event(response.headers.get('x-request-id')!)).clientIp).toBe('203.0.113.9');
  });

  it('does not send the caller\'s OpenAI organisation upstream (it would not match the provider key)', async () => {
    const client = w.client(base, key.secret, { organization: 'org-caller', project: 'proj-caller' });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'org' }] }).withResponse();
    const up = w.mock.requests.at(-1)!;
    expect(up.headers['openai-organization']).toBeUndefined();
    expect(up.headers['openai-project']).toBeUndefined();
    expect((await w.event(response.headers.get('x-request-id')!)).request.headers['openai-organization']).toBe('org-caller');
  });

  it('rewrites an alias to the upstream model', async () => {
    const client = w.client(base, key.secret);
    await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] });
    expect((w.mock.requests.at(-1)!.json as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('streams, strips the injected usage chunk from the client, keeps it in the capture', async () => {
    const client = w.client(base, key.secret);
    const { data: stream, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream me' }] }).withResponse();
    let text = '';
    const chunks: unknown[] = [];
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta?.content ?? '';
    }
    expect(text).toContain('You said: stream me');
    // exactly the stream the client asked for: no usage chunk, no `usage: null` on the others
    expect(chunks.every((c) => (c as { choices: unknown[] }).choices.length > 0)).toBe(true);
    expect(chunks.some((c) => 'usage' in (c as object))).toBe(false);
    expect((w.mock.requests.at(-1)!.json as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage).toBe(true);
    const ev = await w.event(response.headers.get('x-request-id')!);
    expect(ev.response.stream).toBe(true);
    expect(ev.response.usageInjected).toBe(true);
    expect(ev.response.body.text).toContain('"choices":[]');
    expect(ev.response.body.text).toContain('data: [DONE]');
  });

  it('leaves the stream alone for a provider with usage injection off', async () => {
    const { data: stream, response } = await w.client(base, key.secret).chat.completions.create({ model: 'plain-model', stream: true, messages: [{ role: 'user', content: 'p' }] }).withResponse();
    for await (const _ of stream) void _;
    expect((w.mock.requests.at(-1)!.json as Record<string, unknown>).stream_options).toBeUndefined();
    const ev = await w.event(response.headers.get('x-request-id')!);
    expect(ev.response.usageInjected).toBeUndefined();
  });

  it('passes the usage chunk when the client asked for it', async () => {
    const client = w.client(base, key.secret);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'u' }] });
    let usage: unknown = null;
    for await (const c of stream) if (c.usage) usage = c.usage;
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) });
  });

  it('streams tool-call deltas unchanged', async () => {
    const client = w.client(base, key.secret);
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    const direct = w.direct();
    const collect = async (c: typeof client) => {
      const s = await c.chat.completions.create({ model: 'gpt-4o-mini', stream: true, tools, messages: [{ role: 'user', content: 'weather?' }] }, { headers: { 'x-mock-tool-calls': '2' } });
      const args: Record<number, string> = {};
      const names: Record<number, string> = {};
      for await (const ch of s) {
        for (const tc of ch.choices[0]?.delta?.tool_calls ?? []) {
          args[tc.index] = (args[tc.index] ?? '') + (tc.function?.arguments ?? '');
          if (tc.function?.name) names[tc.index] = tc.function.name;
        }
      }
      return { args, names };
    };
    const viaRelay = await collect(client);
    expect(Object.keys(viaRelay.args)).toHaveLength(2);
    expect(viaRelay).toEqual(await collect(direct));
  });
});
