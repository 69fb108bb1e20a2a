import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { toFile } from 'openai';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

// Issue 13 item 2: a key limited to gpt-4o-mini cannot get gpt-4o served by naming the model twice, or
// under an escaped key, on a model route or a pass-through one.
const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  key = makeKey({ allowedModels: ['gpt-4o-mini'] });
  await w.snapshot([provider({ baseUrl: mock.url })], [key.record]);
  base = await w.startGateway();
});
afterAll(() => w.close());

const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': contentType }, body });
const messages = '"messages":[{"role":"user","content":"hi"}]';

async function expectError(res: Response, status: number, code: string): Promise<void> {
  const body = (await res.json()) as { error: { code: string; type: string } };
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error).toMatchObject({ code, type: status === 403 ? 'permission_error' : 'invalid_request_error' });
}

function servedModels(): unknown[] {
  return w.mock.requests.map((r) => (r.json as { model?: unknown } | undefined)?.model);
}

describe('model allow-list against duplicate and escaped keys', () => {
  it('refuses a chat body naming the model twice (plain, escaped, fully escaped) or repeating stream', async () => {
    await expectError(await post('/v1/chat/completions', `{"model":"gpt-4o-mini","mod\\u0065l":"gpt-4o",${messages}}`), 400, 'duplicate_key');
    await expectError(await post('/v1/chat/completions', `{"model":"gpt-4o-mini",${messages},"model":"gpt-4o"}`), 400, 'duplicate_key');
    await expectError(await post('/v1/chat/completions', `{"\\u006d\\u006f\\u0064\\u0065\\u006c":"gpt-4o","model":"gpt-4o-mini",${messages}}`), 400, 'duplicate_key');
    await expectError(await post('/v1/chat/completions', `{"model":"gpt-4o-mini","stream":false,"stream":true,${messages}}`), 400, 'duplicate_key');
    await expectError(await post('/v1/responses', `{"model":"gpt-4o-mini","input":"hi","mod\\u0065l":"gpt-4o"}`), 400, 'duplicate_key');
    // an escaped key alone is the model it spells
    await expectError(await post('/v1/chat/completions', `{"mod\\u0065l":"gpt-4o",${messages}}`), 403, 'model_not_allowed');
    expect(servedModels()).not.toContain('gpt-4o');
    // the allowed model under an escaped key is served as that model
    const ok = await post('/v1/chat/completions', `{"mod\\u0065l":"gpt-4o-mini",${messages}}`);
    expect(ok.status).toBe(200);
    expect(servedModels().at(-1)).toBe('gpt-4o-mini');
    const ev = await w.event(ok.headers.get('x-request-id')!);
    expect(ev.model).toBe('gpt-4o-mini');
  });

  it('checks pass-through bodies the same way, JSON and form', async () => {
    const before = w.mock.requests.length;
    await expectError(await post('/v1/moderations', '{"model":"gpt-4o-mini","mod\\u0065l":"gpt-4o","input":"x"}'), 400, 'duplicate_key');
    await expectError(await post('/v1/moderations', '{"mod\\u0065l":"gpt-4o","input":"x"}'), 403, 'model_not_allowed');
    await expectError(await post('/v1/moderations', 'model=gpt-4o-mini&model=gpt-4o&input=x', 'application/x-www-form-urlencoded'), 400, 'duplicate_key');
    await expectError(await post('/v1/moderations', 'mod%65l=gpt-4o&input=x', 'application/x-www-form-urlencoded'), 403, 'model_not_allowed');
    // a JSON body the relay cannot read cannot be checked against the allow-list
    await expectError(await post('/v1/moderations', '{"model":"gpt-4o"'), 400, 'invalid_json');
    expect(w.mock.requests.length).toBe(before);
    const ok = await post('/v1/moderations', '{"model":"gpt-4o-mini","input":"x"}');
    expect(ok.status).toBe(200);
  });

  it('checks the model field of an upload (multipart) before anything is sent', async () => {
    const before = w.mock.requests.length;
    const client = w.client(base, key.secret);
    const audio = async () => toFile(Buffer.from('RIFF....WAVEfmt '), 'a.wav');
    const err = await client.audio.transcriptions.create({ model: 'whisper-1', file: await audio() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('model_not_allowed');
    const form = new FormData();
    form.append('model', 'gpt-4o-mini');
    form.append('model', 'whisper-1');
    form.append('file', new Blob([Buffer.from('RIFF')]), 'a.wav');
    const twice = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}` }, body: form });
    await expectError(twice, 400, 'duplicate_key');
    expect(w.mock.requests.length).toBe(before);
    const ok = await client.audio.transcriptions.create({ model: 'gpt-4o-mini', file: await audio() });
    expect(typeof ok.text).toBe('string');
    expect(w.mock.requests.at(-1)!.path).toBe('/v1/audio/transcriptions');
  });
});
