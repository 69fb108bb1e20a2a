import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;
let limited: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  key = makeKey({ allowedModels: ['gpt-*', 'text-embedding-3-small', 'claude-*'] });
  limited = makeKey({ allowedModels: ['gpt-4o-mini'] });
  await w.snapshot(
    [
      provider({ baseUrl: mock.url, models: [{ match: 'gpt-4o-mini' }, { match: 'gpt-4.1' }, { match: 'text-embedding-3-small' }, { match: 'gpt-3.5-turbo-instruct' }] }),
      provider({ id: 'anth', name: 'Anthropic mock', type: 'anthropic', baseUrl: mock.url.replace(/\/v1$/, ''), apiKeys: ['sk-ant-upstream'], models: [{ match: 'claude-*' }] }),
    ],
    [key.record, limited.record],
  );
  base = await w.startGateway();
});
afterAll(() => w.close());

describe('every endpoint through the gateway', () => {
  it('responses: plain and streamed events', async () => {
    const client = w.client(base, key.secret);
    const r = await client.responses.create({ model: 'gpt-4.1', input: 'hello responses' });
    expect(r.output_text).toContain('hello responses');
    const { data: stream, response } = await client.responses.create({ model: 'gpt-4.1', input: 'stream responses', stream: true }).withResponse();
    const types: string[] = [];
    let text = '';
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types).toContain('response.output_text.delta');
    expect(text).toContain('stream responses');
    const last = await w.event(response.headers.get('x-request-id')!);
    expect(last.route).toBe('responses');
    expect(last.response.body.text).toContain('event: response.completed');
  });

  it('embeddings with the SDK default (base64) and as floats', async () => {
    const client = w.client(base, key.secret);
    const viaRelay = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    const direct = await w.direct().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    expect(viaRelay.data).toHaveLength(2);
    expect(viaRelay.data[0]!.embedding).toEqual(direct.data[0]!.embedding);
    expect((w.mock.requests.at(-2)!.json as { encoding_format: string }).encoding_format).toBe('base64');
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'a', encoding_format: 'float' });
    expect(floats.data[0]!.embedding).toEqual(direct.data[0]!.embedding);
  });

  it('legacy completions, plain and streamed', async () => {
    const client = w.client(base, key.secret);
    const c = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'say hi' });
    expect(c.choices[0]!.text.length).toBeGreaterThan(0);
    const s = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'say hi', stream: true });
    let text = '';
    for await (const ch of s) text += ch.choices[0]?.text ?? '';
    expect(text).toBe(c.choices[0]!.text);
  });

  it('models: only what the key may use, in the list shape', async () => {
    const all = await w.client(base, key.secret).models.list();
    const ids = all.data.map((m) => m.id);
    // named models, plus what the pattern provider lists upstream and the pattern admits
    expect(ids.filter((id) => !id.startsWith('claude-')).sort()).toEqual(['gpt-3.5-turbo-instruct', 'gpt-4.1', 'gpt-4o-mini', 'text-embedding-3-small']);
    expect(ids.some((id) => id.startsWith('claude-'))).toBe(true);
    const few = await w.client(base, limited.secret).models.list();
    expect(few.data.map((m) => m.id)).toEqual(['gpt-4o-mini']);
    expect(few.data[0]).toMatchObject({ object: 'model', owned_by: 'Mock' });
  });

  it('messages: Anthropic-native, plain and streamed, with x-api-key upstream', async () => {
    const body = { model: 'claude-sonnet-4', max_tokens: 50, messages: [{ role: 'user', content: 'hi claude' }] };
    const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key.secret, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const msg = (await res.json()) as { content: { text: string }[] };
    expect(msg.content[0]!.text).toContain('hi claude');
    const up = w.mock.requests.at(-1)!;
    expect(up.headers['x-api-key']).toBe('sk-ant-upstream');
    expect(up.headers.authorization).toBeUndefined();
    const sres = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key.secret, 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
    const text = await sres.text();
    expect(sres.headers.get('content-type')).toContain('text/event-stream');
    expect(text).toContain('event: message_start');
    expect(text).toContain('event: message_stop');
    const ev = await w.event(sres.headers.get('x-request-id')!);
    expect(ev.route).toBe('messages');
    expect(ev.provider).toBe('anth');
  });

  it('relay errors on /v1/messages read as both OpenAI and Anthropic errors', async () => {
    const res = await fetch(`${base}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'sk-wrong', 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String), code: 'invalid_api_key' } });
  });

  it('Anthropic API paths without their own route go to the anthropic provider', async () => {
    const res = await fetch(`${base}/v1/messages/count_tokens`, { method: 'POST', headers: { 'x-api-key': key.secret, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'count' }] }) });
    await res.arrayBuffer();
    const up = w.mock.requests.at(-1)!;
    expect(up.path).toBe('/v1/messages/count_tokens');
    expect(up.headers['x-api-key']).toBe('sk-ant-upstream');
    expect((await w.event(res.headers.get('x-request-id')!)).provider).toBe('anth');
  });

  it('vision: a 20 MB data-URL image passes', async () => {
    const img = `data:image/png;base64,${Buffer.alloc(15 * 1024 * 1024, 7).toString('base64')}`;
    const client = w.client(base, key.secret);
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it' }, { type: 'image_url', image_url: { url: img } }] }] });
    expect(r.choices[0]!.message.content).toContain('what is it');
    const ev = await w.event(r._request_id!);
    expect(ev.request.body.bytes).toBeGreaterThan(20_000_000);
    expect(ev.request.body.truncated).toBe(true);
  });

  it('gzip from upstream is decoded for the client and the capture', async () => {
    const client = w.client(base, key.secret);
    const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'zip' }] }, { headers: { 'x-mock-gzip': '1' } }).withResponse();
    expect(data.choices[0]!.message.content).toContain('zip');
    const ev = await w.event(response.headers.get('x-request-id')!);
    expect(JSON.parse(ev.response.body.text!).object).toBe('chat.completion');
    const s = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'zip stream' }] }, { headers: { 'x-mock-gzip': '1' } });
    let text = '';
    for await (const ch of s) text += ch.choices[0]?.delta?.content ?? '';
    expect(text).toContain('zip stream');
  });
});
