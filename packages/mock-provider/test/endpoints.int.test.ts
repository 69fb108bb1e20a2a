import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../src/index.ts';

let mock: MockProvider;
let client: OpenAI;

beforeAll(async () => {
  mock = await createMockProvider();
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(() => mock.close());

describe('legacy completions', () => {
  it('answers plain and streamed with the same text', async () => {
    const plain = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi' });
    expect(plain.choices[0]!.text).toMatch(/^Hello! You said: Say hi/);
    expect(plain.usage!.total_tokens).toBeGreaterThan(0);
    const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hi', stream: true, stream_options: { include_usage: true } }, { headers: { 'x-mock-chunks': '4' } });
    let text = '';
    let usage;
    for await (const c of stream) {
      text += c.choices[0]?.text ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text).toMatch(/^Hello! You said: Say hi/);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });
});

describe('embeddings', () => {
  it('decodes the base64 the SDK asks for by default into the same vector as the float format', async () => {
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' });
    expect((mock.requests.at(-1)!.json as { encoding_format: string }).encoding_format).toBe('base64');
    const viaFloat = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', encoding_format: 'float' });
    const a = viaBase64.data[0]!.embedding;
    expect(a).toHaveLength(1536);
    expect(a).toEqual(viaFloat.data[0]!.embedding.map((x) => Math.fround(x)));
    const norm = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 4);
  });

  it('embeds each input of an array with the requested dimensions', async () => {
    const res = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b', 'a'], dimensions: 8 });
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(res.data.every((d) => d.embedding.length === 8)).toBe(true);
    expect(res.data[0]!.embedding).toEqual(res.data[2]!.embedding);
    expect(res.data[0]!.embedding).not.toEqual(res.data[1]!.embedding);
    expect(res.usage.prompt_tokens).toBe(3);
  });
});

describe('responses', () => {
  it('answers a plain request (output_text is the SDK helper over output)', async () => {
    const r = await client.responses.create({ model: 'gpt-4.1-mini', input: 'Tell me a joke' });
    expect(r.status).toBe('completed');
    expect(r.output_text).toMatch(/^Hello! You said: Tell me a joke/);
    expect(r.usage!.total_tokens).toBe(r.usage!.input_tokens + r.usage!.output_tokens);
  });

  it('streams the real event sequence with increasing sequence numbers', async () => {
    const stream = await client.responses.create({ model: 'gpt-4.1-mini', input: [{ role: 'user', content: 'Tell me a joke' }], stream: true }, { headers: { 'x-mock-chunks': '3' } });
    const events = [];
    for await (const e of stream) events.push(e);
    expect(events.map((e) => e.type)).toEqual([
      'response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      'response.output_text.delta', 'response.output_text.delta', 'response.output_text.delta',
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    const completed = events.at(-1)!;
    const item = completed.type === 'response.completed' ? completed.response.output[0] : undefined;
    expect(item?.type === 'message' && item.content[0]!.type === 'output_text' && item.content[0]!.text).toBe(deltas.join(''));
    expect(completed.type === 'response.completed' && completed.response.usage!.output_tokens).toBeGreaterThan(0);
  });

  it('streams function calls with finalResponse()', async () => {
    const final = await client.responses
      .stream({ model: 'gpt-4.1-mini', input: 'weather?', tools: [{ type: 'function', name: 'lookup', parameters: {}, strict: false }] }, { headers: { 'x-mock-tool-calls': '1' } })
      .finalResponse();
    const call = final.output[0]!;
    expect(call.type).toBe('function_call');
    expect(call.type === 'function_call' && call.name).toBe('lookup');
    expect(call.type === 'function_call' && JSON.parse(call.arguments)).toEqual({ location: 'City 0', call: 0 });
  });

  it('retrieves, lists input items, cancels and deletes a stored response', async () => {
    const r = await client.responses.create({ model: 'gpt-4.1-mini', input: 'keep me' });
    expect((await client.responses.retrieve(r.id)).output_text).toBe(r.output_text);
    const items = await client.responses.inputItems.list(r.id, { include: ['message.input_image.image_url'] });
    expect(items.data[0]).toMatchObject({ type: 'message', role: 'user' });
    expect(mock.requests.at(-1)!.query).toBe('include%5B%5D=message.input_image.image_url');
    expect((await client.responses.cancel(r.id)).status).toBe('cancelled');
    await client.responses.delete(r.id);
    expect(mock.requests.at(-1)!.method).toBe('DELETE');
  });
});

describe('models', () => {
  it('lists and retrieves', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain('gpt-4o-mini');
    expect((await client.models.retrieve('anything-at-all')).id).toBe('anything-at-all');
  });
});

describe('Anthropic messages', () => {
  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${mock.url}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers }, body: JSON.stringify(body) });
  const body = { model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: [{ role: 'user', content: 'Hi Claude' }] };

  it('rejects a request without x-api-key in the Anthropic error shape', async () => {
    const res = await post(body, {});
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: expect.any(String) } });
  });

  it('answers plain and streams message_start … message_stop with usage in message_delta', async () => {
    const plain = (await (await post(body, { 'x-api-key': 'sk-ant' })).json()) as { content: { text: string }[]; usage: { output_tokens: number } };
    expect(plain.content[0]!.text).toMatch(/^Hello! You said: Hi Claude/);
    const res = await post({ ...body, stream: true }, { 'x-api-key': 'sk-ant', 'x-mock-chunks': '2' });
    const text = await res.text();
    const events = [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
    expect(events).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    const datas = [...text.matchAll(/^data: (.+)$/gm)].map((m) => JSON.parse(m[1]!));
    expect(datas.filter((d) => d.type === 'content_block_delta').map((d) => d.delta.text).join('')).toMatch(/^Hello! You said: Hi Claude/);
    expect(datas.find((d) => d.type === 'message_delta').usage.output_tokens).toBeGreaterThan(0);
  });
});

describe('pass-through endpoints', () => {
  it('uploads, lists, retrieves, downloads and deletes a file byte for byte', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254, 13, 10, 45, 45, 0]);
    const f = await client.files.create({ file: await toFile(bytes, 'data.bin'), purpose: 'batch' });
    expect(f).toMatchObject({ object: 'file', bytes: bytes.length, filename: 'data.bin', purpose: 'batch' });
    const listed = [];
    for await (const x of client.files.list({ purpose: 'batch' })) listed.push(x.id);
    expect(listed).toContain(f.id);
    expect((await client.files.retrieve(f.id)).filename).toBe('data.bin');
    const content = Buffer.from(await (await client.files.content(f.id)).arrayBuffer());
    expect(content.equals(bytes)).toBe(true);
    expect((await client.files.delete(f.id)).deleted).toBe(true);
  });

  it('speaks binary audio and transcribes an upload', async () => {
    const audio = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello there' })).arrayBuffer());
    expect(audio.subarray(0, 3).toString()).toBe('ID3');
    const t = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'speech.mp3') });
    expect(t.text).toContain(`speech.mp3 (${audio.length} bytes`);
  });

  it('generates images and moderates', async () => {
    const img = await client.images.generate({ model: 'gpt-image-1', prompt: 'a cat', n: 2 });
    expect(img.data).toHaveLength(2);
    const mod = await client.moderations.create({ input: ['I will kill the process', 'hello'] });
    expect(mod.results.map((r) => r.flagged)).toEqual([true, false]);
  });

  it('creates, retrieves, lists and cancels batches', async () => {
    const b = await client.batches.create({ input_file_id: 'file-abc', endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect((await client.batches.retrieve(b.id)).input_file_id).toBe('file-abc');
    const ids = [];
    for await (const x of client.batches.list()) ids.push(x.id);
    expect(ids).toContain(b.id);
    expect((await client.batches.cancel(b.id)).status).toBe('cancelling');
  });

  it('stores chat completions and serves list (with metadata filters), retrieve, update, messages, delete', async () => {
    const c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'remember this' }], store: true, metadata: { team: 'a' } });
    const listed = [];
    for await (const x of client.chat.completions.list({ metadata: { team: 'a' } })) listed.push(x.id);
    expect(listed).toEqual([c.id]);
    expect(mock.requests.at(-1)!.query).toBe('metadata%5Bteam%5D=a');
    expect((await client.chat.completions.retrieve(c.id)).choices[0]!.message.content).toBe(c.choices[0]!.message.content);
    expect((await client.chat.completions.update(c.id, { metadata: { team: 'b' } })).metadata).toEqual({ team: 'b' });
    const msgs = [];
    for await (const m of client.chat.completions.messages.list(c.id)) msgs.push(m.content);
    expect(msgs).toEqual(['remember this']);
    expect((await client.chat.completions.delete(c.id)).deleted).toBe(true);
  });

  it('answers an unknown /v1 path with 404 in the OpenAI error shape, and keeps the raw query', async () => {
    const res = await fetch(`${mock.url}/no/such/thing?ids[]=1&ids[]=2`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { message: expect.stringContaining('/v1/no/such/thing'), type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    expect(mock.requests.at(-1)!.query).toBe('ids[]=1&ids[]=2');
  });
});
