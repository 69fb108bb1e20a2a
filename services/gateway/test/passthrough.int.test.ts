import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFile } from 'openai';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  key = makeKey({ defaultProvider: 'files-home' });
  await w.snapshot(
    [
      provider({ id: 'chat-first', baseUrl: mock.url, apiKeys: ['sk-chat'], models: [{ match: 'gpt-*' }], priority: 0 }),
      provider({ id: 'files-home', baseUrl: mock.url, apiKeys: ['sk-files'], models: [{ match: 'tts-1' }, { match: 'whisper-1' }], priority: 1 }),
    ],
    [key.record],
  );
  // a small body limit proves that uploads stream: they are not held by the buffering parser
  base = await w.startGateway({ BODY_LIMIT_BYTES: String(256 * 1024) });
});
afterAll(() => w.close());

describe('every other /v1 path passes through', () => {
  it('files: a multipart upload larger than the body limit streams through, the download is byte for byte', async () => {
    const content = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) % 251;
    const client = w.client(base, key.secret);
    const file = await client.files.create({ file: await toFile(content, 'train.jsonl'), purpose: 'fine-tune' });
    expect(file.bytes).toBe(content.length);
    const up = w.mock.requests.at(-1)!;
    expect(up.headers.authorization).toBe('Bearer sk-files');
    const ev = await w.event((await client.files.retrieve(file.id).withResponse()).response.headers.get('x-request-id')!);
    expect(ev.route).toBe('passthrough');
    const events = await w.events();
    const upload = events.find((e) => e.request.method === 'POST' && e.request.path === '/v1/files')!;
    expect(upload.request.body.text).toBeUndefined();
    expect(upload.request.body.summary?.files).toEqual([{ field: 'file', filename: 'train.jsonl', contentType: expect.any(String), bytes: content.length }]);
    expect(upload.request.body.summary?.fields).toEqual({ purpose: 'fine-tune' });
    expect(upload.request.body.summary?.sha256).toBe(up.sha256);

    const res = await client.files.content(file.id);
    const back = Buffer.from(await res.arrayBuffer());
    expect(back.equals(content)).toBe(true);
    const dl = await w.event(res.headers.get('x-request-id')!);
    expect(dl.response.body.summary?.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(dl.response.body.text).toBeUndefined();

    const list = await client.files.list();
    expect(list.data.some((f) => f.id === file.id)).toBe(true);
    expect((await client.files.delete(file.id)).deleted).toBe(true);
  });

  it('audio: speech comes back as the same binary, transcription takes multipart; the model picks the provider', async () => {
    const client = w.client(base, key.secret);
    const viaRelay = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello there, relay' })).arrayBuffer());
    const direct = Buffer.from(await (await w.direct().audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello there, relay' })).arrayBuffer());
    expect(viaRelay.equals(direct)).toBe(true);
    const t = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(Buffer.from('RIFF....WAVEfmt '), 'a.wav') });
    expect(typeof t.text).toBe('string');
  });

  it('an unknown path is the provider 404, unchanged', async () => {
    const viaRelay = await fetch(`${base}/v1/no/such/thing?x=1`, { headers: { authorization: `Bearer ${key.secret}` } });
    const direct = await fetch(`${w.mock.url}/no/such/thing?x=1`);
    expect(viaRelay.status).toBe(404);
    expect(await viaRelay.json()).toEqual(await direct.json());
    expect(viaRelay.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('query strings reach the provider exactly as sent (bracket arrays and objects too)', async () => {
    const raw = 'limit=2&order=desc&metadata%5Bteam%5D=core&ids[]=a&ids[]=b&include%5B%5D=x';
    const res = await fetch(`${base}/v1/chat/completions?${raw}`, { headers: { authorization: `Bearer ${key.secret}` } });
    expect(res.status).toBe(200);
    expect(w.mock.requests.at(-1)!.query).toBe(raw);
    const client = w.client(base, key.secret);
    await client.chat.completions.list({ metadata: { team: 'core' }, limit: 2 });
    const viaRelay = w.mock.requests.at(-1)!.query;
    await w.direct().chat.completions.list({ metadata: { team: 'core' }, limit: 2 });
    expect(viaRelay).toBe(w.mock.requests.at(-1)!.query);
  });

  it('stored chat completions, responses, batches, images and moderations work through the relay', async () => {
    const client = w.client(base, key.secret);
    const c = await client.chat.completions.create({ model: 'gpt-4o-mini', store: true, messages: [{ role: 'user', content: 'keep me' }] });
    expect((await client.chat.completions.retrieve(c.id)).id).toBe(c.id);
    const msgs = await client.chat.completions.messages.list(c.id);
    expect(msgs.data.length).toBeGreaterThan(0);
    expect((await client.chat.completions.update(c.id, { metadata: { a: 'b' } })).id).toBe(c.id);
    expect((await client.chat.completions.delete(c.id)).deleted).toBe(true);
    const r = await client.responses.create({ model: 'gpt-4.1', input: 'stored' });
    expect((await client.responses.retrieve(r.id)).id).toBe(r.id);
    await client.responses.inputItems.list(r.id);
    await client.responses.delete(r.id);
    const b = await client.batches.create({ completion_window: '24h', endpoint: '/v1/chat/completions', input_file_id: 'file-x' });
    expect((await client.batches.retrieve(b.id)).id).toBe(b.id);
    expect((await client.moderations.create({ input: 'i will kill it' })).results[0]!.flagged).toBe(true);
    expect((await client.images.generate({ prompt: 'a dot', model: 'gpt-image-1' })).data?.length).toBe(1);
    // a GET names no model: it went to the key's default provider
    expect(w.mock.requests.findLast((q) => q.method === 'GET' && q.path.startsWith('/v1/batches/'))!.headers.authorization).toBe('Bearer sk-files');
  });

  it('pass-through calls still need a valid relay key', async () => {
    const res = await fetch(`${base}/v1/files`, { headers: { authorization: 'Bearer sk-wrong' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
  });
});
