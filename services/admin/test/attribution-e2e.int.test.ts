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

type Page = { items: { id: string }[]; nextCursor: string | null };
type StatsRow = { value: string; count: number; scoreAvg: number | null; scoreCount: number };
type StatsPoint = { t: number; count: number; scoreCount: number };
type Stats = { series: StatsPoint[]; breakdown: StatsRow[]; seriesByValue?: Record<string, StatsPoint[]> };

describe('admin API over attribution: filters, stats, sessions, scores', () => {
  const ids: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  const from = Date.now() - 60_000;

  beforeAll(async () => {
    const send = async (headers: Record<string, string>) => {
      const { response } = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'attributed' }] }, { headers }).withResponse();
      return response.headers.get('x-relay-log-id')!;
    };
    ids.a = await send({ 'x-relay-user': 'alice', 'x-relay-session': 's-A', 'x-relay-tags': 'gold', 'x-relay-property-team': 'red' });
    ids.b = await send({ 'x-relay-user': 'bob', 'x-relay-session': 's-A', 'x-relay-tags': 'silver' });
    ids.c = await send({ 'x-relay-user': 'alice', 'x-relay-session': 's-B', 'x-relay-property-team': 'growth' });
    for (const id of Object.values(ids)) await storedLog(id);
    await client().post('/relay/feedback', { body: { log_id: ids.a, value: 1 } });
    await client().post('/relay/feedback', { body: { log_id: ids.b, value: 0.5 } });
    await storedLog(ids.a, (l) => l.scores?.score !== undefined);
    await storedLog(ids.b, (l) => l.scores?.score !== undefined);
  }, 90_000);

  const list = async (query: string) => (await api<Page>('GET', `/admin/logs?${query}`)).body.items.map((i) => i.id);
  const stats = async (query: string) => (await api<Stats>('GET', `/admin/stats?from=${from}&to=${Date.now() + 60_000}&bucket=minute&${query}`)).body;
  const row = (s: Stats, value: string) => s.breakdown.find((r) => r.value === value);

  it('GET /admin/logs filters by user, session, tag, property, scored and score range', async () => {
    expect(await list('user=alice')).toEqual([ids.c, ids.a]);
    expect(await list('session=s-A')).toEqual([ids.b, ids.a]);
    expect(await list('tag=silver')).toEqual([ids.b]);
    expect(await list('property.team=red')).toEqual([ids.a]);
    expect(await list('user=alice&property.team=growth')).toEqual([ids.c]);
    expect(await list('session=s-A&scored=true')).toEqual([ids.b, ids.a]);
    expect(await list('user=alice&scored=false')).toEqual([ids.c]);
    expect(await list('session=s-A&score.score.min=0.8')).toEqual([ids.a]);
    expect(await list('session=s-A&score.score.max=0.5')).toEqual([ids.b]);
    const items = (await api<{ items: StoredLog[] }>('GET', `/admin/logs?user=bob`)).body.items;
    expect(items[0]).toMatchObject({ attribution: { user: 'bob', session: 's-A', tags: ['silver'] }, scores: { score: { value: 0.5 } } });
    expect((await api('GET', '/admin/logs?property.Bad=x')).status).toBe(400);
  });

  it('GET /admin/stats breaks down by attribution dims with the average score, from roll-ups', async () => {
    const byUser = await stats('dim=user');
    expect(row(byUser, 'alice')).toMatchObject({ count: 2, scoreAvg: 1, scoreCount: 1 });
    expect(row(byUser, 'bob')).toMatchObject({ count: 1, scoreAvg: 0.5, scoreCount: 1 });
    expect(row(await stats('dim=session'), 's-A')).toMatchObject({ count: 2, scoreAvg: 0.75, scoreCount: 2 });
    expect(row(await stats('dim=tag'), 'silver')).toMatchObject({ count: 1, scoreAvg: 0.5 });
    expect(row(await stats('dim=property.team'), 'growth')).toMatchObject({ count: 1, scoreAvg: null, scoreCount: 0 });
    const s = await stats('dim=model');
    expect(s.series.reduce((n, p) => n + p.scoreCount, 0)).toBeGreaterThanOrEqual(2);
    expect(row(await stats('dim=user&score=thumbs_up'), 'alice')).toMatchObject({ scoreCount: 0, scoreAvg: null });
    expect((await api('GET', '/admin/stats?dim=nonsense')).status).toBe(400);
  });

  it('GET /admin/stats adds each compared value\'s own series with values= (the Compare view)', async () => {
    const s = await stats('dim=user&values=alice,bob');
    const total = (v: string, f: 'count' | 'scoreCount') => s.seriesByValue![v]!.reduce((n, p) => n + p[f], 0);
    expect(total('alice', 'count')).toBe(2);
    expect(total('bob', 'count')).toBe(1);
    expect(total('alice', 'scoreCount')).toBe(1);
    expect(s.seriesByValue!.alice!.length).toBe(s.series.length);
    expect((await stats('dim=user')).seriesByValue).toBeUndefined();
    expect((await api('GET', '/admin/stats?dim=user&values=a,b,c,d,e')).status).toBe(400);
  });

  it('GET /admin/sessions lists sessions with their users and totals; /:id gives its logs in time order', async () => {
    const page = (await api<{ items: { id: string; count: number; users: string[]; errors: number; tokens: number }[]; nextCursor: string | null }>('GET', '/admin/sessions?user=bob')).body;
    expect(page.items.map((s) => s.id)).toEqual(['s-A']);
    expect(page.items[0]).toMatchObject({ count: 2, users: ['alice', 'bob'], errors: 0 });
    expect(page.items[0]!.tokens).toBeGreaterThan(0);
    const all = (await api<{ items: { id: string }[] }>('GET', '/admin/sessions?limit=1')).body;
    expect(all.items).toHaveLength(1);
    const detail = (await api<{ id: string; totals: { count: number }; logs: { id: string }[] }>('GET', '/admin/sessions/s-A')).body;
    expect(detail).toMatchObject({ id: 's-A', totals: { count: 2 } });
    expect(detail.logs.map((l) => l.id)).toEqual([ids.a, ids.b]);
    expect((await api('GET', '/admin/sessions/no-such-session')).status).toBe(404);
  });

  it('PUT / DELETE /admin/logs/:id/scores/:name set and clear a score, and the averages follow', async () => {
    const put = await api<{ scores: Record<string, { value: number; by: string }> }>('PUT', `/admin/logs/${ids.c}/scores/score`, { value: 0.25, comment: 'admin says' });
    expect(put.status).toBe(200);
    expect(put.body.scores.score).toMatchObject({ value: 0.25, by: 'admin' });
    expect(row(await stats('dim=user'), 'alice')).toMatchObject({ scoreAvg: 0.625, scoreCount: 2 });
    expect((await api('DELETE', `/admin/logs/${ids.c}/scores/score`)).status).toBe(204);
    expect((await api('DELETE', `/admin/logs/${ids.c}/scores/score`)).status).toBe(404);
    expect((await api('PUT', '/admin/logs/no-such-log/scores/score', { value: 1 })).status).toBe(404);
    expect(row(await stats('dim=user'), 'alice')).toMatchObject({ scoreAvg: 1, scoreCount: 1 });
    expect((await storedLog(ids.c)).scores).toEqual({});
  });
});
