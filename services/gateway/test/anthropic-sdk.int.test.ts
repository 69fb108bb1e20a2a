import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

/** /v1/messages with the official Anthropic SDK as the client, through the relay to an anthropic-type provider. */
const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  key = makeKey({ allowedModels: ['claude-*'] });
  await w.snapshot(
    [
      provider({ baseUrl: mock.url, models: [{ match: 'gpt-4o-mini' }] }),
      provider({ id: 'anth', name: 'Anthropic mock', type: 'anthropic', baseUrl: mock.url.replace(/\/v1$/, ''), apiKeys: ['sk-ant-upstream'], models: [{ match: 'claude-*' }] }),
    ],
    [key.record],
  );
  base = await w.startGateway();
});
afterAll(() => w.close());

function relay(apiKey = key.secret): Anthropic {
  return new Anthropic({ baseURL: base, apiKey, maxRetries: 0 });
}

const params = { model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi from the anthropic sdk' }] };

describe('Anthropic SDK through the relay', () => {
  it('messages.create, not streamed: same message as straight at the mock, captured on the messages route', async () => {
    const { data: msg, response } = await relay().messages.create(params).withResponse();
    // SDK 1.x sends `apiKey` as a Bearer token; the mock, like Anthropic's older API, wants x-api-key
    const direct = await new Anthropic({ baseURL: w.mock.url.replace(/\/v1$/, ''), apiKey: 'sk-direct', defaultHeaders: { 'x-api-key': 'sk-direct' }, maxRetries: 0 }).messages.create(params);
    expect(msg.type).toBe('message');
    expect(msg.role).toBe('assistant');
    const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toContain('hi from the anthropic sdk');
    expect(msg.content).toEqual(direct.content);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);

    const up = w.mock.requests.findLast((r) => r.path === '/v1/messages' && r.headers['x-api-key'] === 'sk-ant-upstream');
    expect(up?.headers['anthropic-version']).toBeTruthy();
    expect(up?.headers.authorization).toBeUndefined();

    const ev = await w.event(response.headers.get('x-request-id')!);
    expect(ev.route).toBe('messages');
    expect(ev.provider).toBe('anth');
    expect(ev.key?.id).toBe(key.record.id);
    expect(ev.response.stream).toBe(false);
    expect(ev.outcome).toBe('ok');
  });

  it('messages.stream: every event type, the final message, and the stream captured', async () => {
    const stream = relay().messages.stream(params);
    const types: string[] = [];
    let deltas = '';
    stream.on('streamEvent', (ev) => types.push(ev.type));
    stream.on('text', (t) => (deltas += t));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types).toContain('content_block_delta');
    expect(types).toContain('message_delta');
    expect(deltas).toContain('hi from the anthropic sdk');
    expect(final.content.map((b) => (b.type === 'text' ? b.text : '')).join('')).toBe(deltas);
    expect(final.usage.output_tokens).toBeGreaterThan(0);

    const { response } = await stream.withResponse();
    const ev = await w.event(response.headers.get('x-request-id')!);
    expect(ev.route).toBe('messages');
    expect(ev.response.stream).toBe(true);
    expect(ev.response.body.text).toContain('event: message_stop');
    expect(ev.outcome).toBe('ok');
  });

  it('messages.create with stream: true iterates the raw events', async () => {
    const events = await relay().messages.create({ ...params, stream: true });
    let text = '';
    let stop = false;
    for await (const ev of events) {
      if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
      if (ev.type === 'message_stop') stop = true;
    }
    expect(stop).toBe(true);
    expect(text).toContain('hi from the anthropic sdk');
  });

  it('relay errors surface as the SDK typed errors', async () => {
    const err = await relay('sk-wrong').messages.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((err as InstanceType<typeof Anthropic.AuthenticationError>).status).toBe(401);
    const notAllowed = await relay().messages.create({ ...params, model: 'gpt-4o-mini' }).catch((e: unknown) => e);
    expect(notAllowed).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });
});
