import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { waitFor } from '@llm-relay/testkit';
import { FEEDBACK_JOB_NAME, FeedbackJobSchema, type FeedbackJob } from '@llm-relay/contracts';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;
let other: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  key = makeKey();
  other = makeKey({ id: 'key-other' });
  await w.snapshot([provider({ baseUrl: mock.url })], [key.record, other.record]);
  base = await w.startGateway();
});
afterAll(() => w.close());

const RELAY_HEADERS = {
  'x-relay-user': 'user-42',
  'x-relay-session': 'conv-7',
  'x-relay-tags': 'beta,search',
  'x-relay-property-team': 'core',
  'x-relay-property-ab-test': 'variant-b',
  'x-relay-prompt': 'support-bot@2024-06',
};

function upstreamRelayHeaders(): string[] {
  return Object.keys(w.mock.requests.at(-1)!.headers).filter((h) => h.startsWith('x-relay-'));
}

async function feedbackJob(id: string): Promise<FeedbackJob> {
  const job = await waitFor(async () => w.queue.getJob(id), { what: `feedback job ${id}` });
  expect(job.name).toBe(FEEDBACK_JOB_NAME);
  return FeedbackJobSchema.parse(job.data);
}

describe('attribution on the way in', () => {
  it('reads x-relay-* headers onto the event, strips them before the provider, leaves the body untouched', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'attributed' }], user: 'body-user', metadata: { team: 'ignored', Feature: 'faq', n: 1 } as unknown as Record<string, string> };
    const { response } = await w.client(base, key.secret).chat.completions.create(body, { headers: RELAY_HEADERS }).withResponse();
    const id = response.headers.get('x-relay-log-id')!;
    expect(id).toBe(response.headers.get('x-request-id'));
    const ev = await w.event(id);
    // headers win over the body; the body adds what no header said (its metadata key lower-cased)
    expect(ev.attribution).toEqual({
      user: 'user-42',
      session: 'conv-7',
      tags: ['beta', 'search'],
      properties: { team: 'core', 'ab-test': 'variant-b', feature: 'faq' },
      prompt: { name: 'support-bot', version: '2024-06' },
    });
    expect(upstreamRelayHeaders()).toEqual([]);
    const up = w.mock.requests.at(-1)!;
    expect(up.sha256).toBe(createHash('sha256').update(JSON.stringify(body)).digest('hex'));
    // the captured request headers never held them either
    expect(Object.keys(ev.request.headers).filter((h) => h.startsWith('x-relay-'))).toEqual([]);
  });

  it('takes user and metadata from the body alone, on a stream, and sends x-relay-log-id on it', async () => {
    const stream = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream me' }], user: 'body-user', metadata: { feature: 'chat' } }).withResponse();
    for await (const _ of stream.data);
    const id = stream.response.headers.get('x-relay-log-id')!;
    const ev = await w.event(id);
    expect(ev.response.stream).toBe(true);
    expect(ev.attribution).toEqual({ user: 'body-user', properties: { feature: 'chat' } });
  });

  it('puts no attribution on an event that had none, and strips x-relay-* on pass-through paths too', async () => {
    const { response } = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'plain' }] }).withResponse();
    expect((await w.event(response.headers.get('x-relay-log-id')!)).attribution).toBeUndefined();
    const res = await fetch(`${base}/v1/files`, { headers: { authorization: `Bearer ${key.secret}`, 'x-relay-user': 'files-user' } });
    expect(res.status).toBe(200);
    expect(upstreamRelayHeaders()).toEqual([]);
    expect((await w.event(res.headers.get('x-relay-log-id')!)).attribution).toEqual({ user: 'files-user' });
  });

  it('refuses out-of-bounds attribution with a 400 naming the header, and still logs it under x-relay-log-id', async () => {
    const headers: Record<string, string> = {};
    for (let i = 1; i <= 33; i++) headers[`x-relay-property-p${i}`] = String(i);
    const client = w.client(base, key.secret);
    const err = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.param).toBe('x-relay-property-p33');
    expect(e.code).toBe('invalid_attribution');
    const id = e.headers.get('x-relay-log-id')!;
    expect((await w.event(id)).response.status).toBe(400);
    const tags = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-relay-tags': 'a'.repeat(65) } }).catch((x: unknown) => x);
    expect((tags as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('x-relay-tags');
  });

  it('sends x-relay-log-id on every answer: rejected keys, unknown models, upstream errors', async () => {
    const bad = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-nope', 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(401);
    const unknown = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: '{"model":"no-such-model-anywhere","messages":[]}' });
    const upstream500 = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-mock-status': '500' }, body: '{"model":"gpt-4o-mini","messages":[]}' });
    expect(upstream500.status).toBe(500);
    for (const res of [bad, unknown, upstream500]) {
      const id = res.headers.get('x-relay-log-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await w.event(id)).response.status).toBe(res.status);
    }
  });
});

describe('POST /v1/relay/feedback', () => {
  it('queues a score with the key that sent it, answered 202 (the official SDK sends it)', async () => {
    const client = w.client(base, key.secret);
    const res = await client.post<{ id: string; status: string }>('/relay/feedback', { body: { log_id: 'log-1', value: 0.8, comment: 'good answer' } });
    expect(res.status).toBe('accepted');
    const job = await feedbackJob(res.id);
    expect(job).toMatchObject({ logId: 'log-1', name: 'score', keyId: key.record.id, score: { value: 0.8, comment: 'good answer', by: 'key' } });
    const thumbs = await client.post<{ id: string }>('/relay/feedback', { body: { log_id: 'log-1', name: 'thumbs_up', value: false } });
    expect((await feedbackJob(thumbs.id)).score.value).toBe(0);
    const fromOther = await w.client(base, other.secret).post<{ id: string }>('/relay/feedback', { body: { log_id: 'log-1', value: 1 } });
    expect((await feedbackJob(fromOther.id)).keyId).toBe('key-other');
  });

  it('answers bad bodies with 400 naming the field, and unknown keys with 401', async () => {
    const client = w.client(base, key.secret);
    for (const [body, param] of [
      [{ log_id: 'l', value: 'high' }, 'value'],
      [{ value: 1 }, 'log_id'],
      [{ log_id: 'l', value: 1, name: 'has.dot' }, 'name'],
      [{ log_id: 'l', value: 1, comment: 'c'.repeat(2001) }, 'comment'],
    ] as const) {
      const err = await client.post('/relay/feedback', { body }).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe(param);
    }
    const anon = await w.client(base, 'sk-relay-unknown').post('/relay/feedback', { body: { log_id: 'l', value: 1 } }).catch((e: unknown) => e);
    expect(anon).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
