import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { StoredLog } from '@llm-relay/contracts';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { ADMIN, databaseUrl, REDIS_URL } from './helper.ts';

// Attribution and feedback through real processes: openai SDK → gateway → queue → processor → store → admin API.
// Batches wait 3 s in the processor, so feedback sent right after an answer reaches the processor before its
// log is stored (the pending path); the processor's metrics say which path each score took.
const PROXY_KEY = 'sk-proxy-attr-key';
let stack: RelayStack;
let token: string;
let otherKey: string;

beforeAll(async () => {
  stack = await startRelayStack({ label: 'attr', redisUrl: REDIS_URL, databaseUrl, proxyKey: PROXY_KEY, credentials: ADMIN, env: { PROCESSOR_BATCH_WAIT_MS: '3000' } });
  token = await stack.login();
  const created = await api<{ secret: string }>('POST', '/admin/api-keys', { name: 'another team' });
  otherKey = created.body.secret;
  // the new key reaches the gateway with the next snapshot
  await waitFor(async () => (await fetch(`${stack.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${otherKey}` } })).ok, { what: 'second key active' });
}, 120_000);
afterAll(() => stack?.stop());

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (res.status === 204 ? null : await res.json()) as T };
}
const client = (apiKey = PROXY_KEY) => new OpenAI({ apiKey, baseURL: `${stack.gatewayUrl}/v1`, maxRetries: 0 });

async function storedLog(id: string, until: (l: StoredLog) => boolean = () => true): Promise<StoredLog> {
  return waitFor(
    async () => {
      const r = await api<StoredLog>('GET', `/admin/logs/${id}`);
      return r.status === 200 && until(r.body) ? r.body : null;
    },
    { timeoutMs: 20_000, what: `stored log ${id}` },
  );
}

async function feedbackCount(result: string): Promise<number> {
  const text = await (await fetch(`${stack.processorUrl}/metrics`)).text();
  const m = new RegExp(`^llmrelay_processor_feedback_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('attribution and feedback end to end', () => {
  it('stores header and body attribution under the id x-relay-log-id announced, streamed or not', async () => {
    const { response } = await client()
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'who am I' }], user: 'body-user', metadata: { feature: 'faq' } },
        { headers: { 'x-relay-session': 'conv-1', 'x-relay-tags': 'beta,search', 'x-relay-property-team': 'core' } },
      )
      .withResponse();
    const id = response.headers.get('x-relay-log-id')!;
    const log = await storedLog(id);
    expect(log.id).toBe(id);
    expect(log.attribution).toEqual({ user: 'body-user', session: 'conv-1', tags: ['beta', 'search'], properties: { team: 'core', feature: 'faq' } });
    expect(log.scores).toEqual({});

    const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream' }] }, { headers: { 'x-relay-user': 'streamer' } }).withResponse();
    for await (const _ of stream.data);
    const streamed = await storedLog(stream.response.headers.get('x-relay-log-id')!);
    expect(streamed.stream).toBe(true);
    expect(streamed.attribution).toEqual({ user: 'streamer', session: null, tags: [], properties: {} });

    const refused = (await client()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [] }, { headers: { 'x-relay-tags': 'x'.repeat(65) } })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(refused.status).toBe(400);
    expect((await storedLog(refused.headers!.get('x-relay-log-id')!)).status).toBe(400);
  });

  it('feedback sent before its log is stored is kept and applied once the log is', async () => {
    const pendingBefore = await feedbackCount('pending');
    const { response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'rate me early' }] }).withResponse();
    const id = response.headers.get('x-relay-log-id')!;
    const ack = await client().post<{ status: string }>('/relay/feedback', { body: { log_id: id, value: 0.9, comment: 'early' } });
    expect(ack.status).toBe('accepted');
    const log = await storedLog(id, (l) => l.scores?.score !== undefined);
    expect(log.scores?.score).toMatchObject({ value: 0.9, comment: 'early', by: 'key' });
    expect(await feedbackCount('pending')).toBeGreaterThan(pendingBefore);
  });

  it('feedback after the log is stored: applied, the last one per name wins, booleans are 1/0, another key is refused', async () => {
    const { response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'rate me late' }] }).withResponse();
    const id = response.headers.get('x-relay-log-id')!;
    await storedLog(id);
    await client().post('/relay/feedback', { body: { log_id: id, value: 0.2 } });
    await client().post('/relay/feedback', { body: { log_id: id, value: 0.7 } });
    await client().post('/relay/feedback', { body: { log_id: id, name: 'thumbs_up', value: true } });
    const log = await storedLog(id, (l) => l.scores?.score?.value === 0.7 && l.scores.thumbs_up !== undefined);
    expect(log.scores?.thumbs_up?.value).toBe(1);

    const dropped = await feedbackCount('dropped_wrong_key');
    await client(otherKey).post('/relay/feedback', { body: { log_id: id, value: 0 } });
    await client(otherKey).post('/relay/feedback', { body: { log_id: id, name: 'intruder', value: 1 } });
    await waitFor(async () => (await feedbackCount('dropped_wrong_key')) >= dropped + 2, { what: 'feedback of another key dropped' });
    const after = await storedLog(id);
    expect(after.scores?.score?.value).toBe(0.7);
    expect(after.scores?.intruder).toBeUndefined();
  });
});
