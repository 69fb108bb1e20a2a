import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue, Worker } from 'bullmq';
import { EXCHANGES_QUEUE, redisKeys, type StoredLog } from '@llm-relay/contracts';
import { createMockProvider, type MockProvider } from '@llm-relay/mock-provider';
import { createRedis } from '@llm-relay/server-kit';
import { makeLog, T0, waitFor } from '@llm-relay/testkit';
import { ROLLUP_LATENCY_BUCKETS } from '@llm-relay/store';
import { bearer, REDIS_URL, setup, type TestContext } from './helper.ts';

let ctx: TestContext;
let mock: MockProvider;
const logs: StoredLog[] = [];
beforeAll(async () => {
  mock = await createMockProvider();
  // the public address does not resolve from where admin runs (as in a compose network or a pod): replay must use the internal one
  ctx = await setup({ PROXY_BASE_URL: 'http://relay.invalid', GATEWAY_INTERNAL_URL: mock.url.replace(/\/v1$/, '') });
  for (let i = 0; i < 30; i++) {
    const variant: Partial<StoredLog> =
      i % 10 === 3
        ? { status: 500, outcome: 'upstream_error', error: 'upstream 500', model: 'gpt-4o', provider: 'azure' }
        : i % 10 === 5
          ? { stream: true, route: 'responses', path: '/v1/responses', key: { id: 'key-b', prefix: 'sk-relay-bbbb', name: 'team b' } }
          : {};
    logs.push(makeLog({ ...variant, ...(i === 7 ? { requestPreview: 'where is the zebra crossing', searchText: 'where is the zebra crossing\nleft' } : {}) }));
  }
  await ctx.store.insertLogs(logs);
});
afterAll(async () => {
  await Promise.all([ctx?.close(), mock?.close()]);
});
const get = (url: string, token = ctx.viewerToken) => ctx.app.inject({ url, headers: bearer(token) });
const ids = (items: { id: string }[]) => items.map((l) => l.id);
const newestFirst = () => [...logs].sort((a, b) => b.createdAt - a.createdAt);

describe('log list', () => {
  it('is newest first with cursor pagination and list fields only', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await get(`/admin/logs?limit=7${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(7);
      for (const item of page.items) expect(item).not.toHaveProperty('request');
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids(newestFirst()));
  });
  it('applies every filter', async () => {
    const expectIds = async (query: string, pick: (l: StoredLog) => boolean) => {
      const res = await get(`/admin/logs?limit=200&${query}`);
      expect(res.statusCode, query).toBe(200);
      expect(ids(res.json().items), query).toEqual(ids(newestFirst().filter(pick)));
    };
    await expectIds('model=gpt-4o', (l) => l.model === 'gpt-4o');
    await expectIds('provider=azure', (l) => l.provider === 'azure');
    await expectIds('keyId=key-b', (l) => l.key?.id === 'key-b');
    await expectIds('status=500', (l) => l.status === 500);
    await expectIds('outcome=upstream_error', (l) => l.outcome === 'upstream_error');
    await expectIds('route=responses', (l) => l.route === 'responses');
    await expectIds('stream=true', (l) => l.stream);
    await expectIds('errorsOnly=true', (l) => l.status >= 400 || l.outcome !== 'ok');
    await expectIds(`from=${logs[10]!.createdAt}&to=${logs[20]!.createdAt}`, (l) => l.createdAt >= logs[10]!.createdAt && l.createdAt < logs[20]!.createdAt);
    await expectIds('q=zebra', (l) => l.id === logs[7]!.id);
  });
  it('refuses bad filters naming the parameter', async () => {
    for (const [q, param] of [['limit=500', 'limit'], ['route=nope', 'route'], ['stream=maybe', 'stream'], ['status=abc', 'status']]) {
      const res = await get(`/admin/logs?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.param).toBe(param);
    }
  });
});

describe('log detail', () => {
  it('returns the whole log without the search index text, and audits the view', async () => {
    const res = await get(`/admin/logs/${logs[7]!.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.request.body).toEqual(logs[7]!.request.body);
    expect(body.response.body).toEqual(logs[7]!.response.body);
    expect(body.attempts).toEqual(logs[7]!.attempts);
    expect(body).not.toHaveProperty('searchText');
    expect((await get('/admin/logs/nope')).statusCode).toBe(404);
    const audit = (await get('/admin/audit?limit=5', ctx.adminToken)).json().items;
    expect(audit[0]).toMatchObject({ actor: 'watcher', action: 'logs.view', target: logs[7]!.id });
  });
});

describe('export', () => {
  it('streams JSONL with the filter applied, as an attachment, and audits it', async () => {
    const res = await get('/admin/logs/export?format=jsonl&errorsOnly=true&full=true');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="llm-relay-logs-.*\.jsonl"$/);
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(ids(lines)).toEqual(ids(newestFirst().filter((l) => l.status >= 400)));
    expect(lines[0].request.body).toBeTruthy();
    expect(lines[0]).not.toHaveProperty('searchText');
    const audit = (await get('/admin/audit?limit=5', ctx.adminToken)).json().items;
    expect(audit[0]).toMatchObject({ actor: 'watcher', action: 'logs.export', details: { format: 'jsonl', full: true, filter: { errorsOnly: true } } });
  });
  it('streams CSV with a header, quoting, and formula protection', async () => {
    await ctx.store.insertLogs([makeLog({ createdAt: T0 + 10_000_000, requestPreview: '=HYPERLINK("x")', responsePreview: 'line one\nline "two", three', searchText: 'HYPERLINK' })]);
    const res = await get('/admin/logs/export?format=csv&q=HYPERLINK');
    expect(res.headers['content-type']).toContain('text/csv');
    const [header, row] = res.body.split('\r\n');
    expect(header!.split(',').slice(0, 3)).toEqual(['id', 'createdAt', 'route']);
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(res.body).toContain('"line one\nline ""two"", three"');
  });
});

describe('replay', () => {
  it('sends the stored request to GATEWAY_INTERNAL_URL, not the public PROXY_BASE_URL, with the key the user typed, non-streaming', async () => {
    const log = makeLog({ stream: true, request: { headers: {}, body: { model: 'mock-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi again' }] }, bytes: 10, truncated: false } });
    await ctx.store.insertLogs([log]);
    const res = await ctx.app.inject({ method: 'POST', url: `/admin/logs/${log.id}/replay`, headers: bearer(ctx.adminToken), payload: { apiKey: 'sk-typed-by-user' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 200, body: { object: 'chat.completion' } });
    const sent = mock.requests.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(JSON.stringify(sent)).toContain('sk-typed-by-user');
    expect(JSON.stringify(sent)).not.toContain('stream_options');
  });
  it('refuses a log whose body was cut', async () => {
    const log = makeLog({ request: { headers: {}, body: '{"model":', bytes: 10, truncated: true } });
    await ctx.store.insertLogs([log]);
    const res = await ctx.app.inject({ method: 'POST', url: `/admin/logs/${log.id}/replay`, headers: bearer(ctx.adminToken), payload: { apiKey: 'k' } });
    expect(res.statusCode).toBe(409);
  });
});

describe('stats', () => {
  it('builds the series and breakdown from roll-ups with percentiles from the histogram', async () => {
    const h = 3_600_000;
    const buckets = (i: number) => ROLLUP_LATENCY_BUCKETS.map((_, j) => (j === i ? 10 : 0)).concat([0]);
    await ctx.store.addRollups([
      { minute: T0, dim: 'all', value: 'all', count: 10, errors: 1, promptTokens: 100, completionTokens: 50, costUsd: 0.5, latencySumMs: 1500, latencyBuckets: buckets(2) },
      { minute: T0 + 2 * h, dim: 'all', value: 'all', count: 10, errors: 0, promptTokens: 10, completionTokens: 5, costUsd: 0.1, latencySumMs: 700, latencyBuckets: buckets(0) },
      { minute: T0, dim: 'model', value: 'gpt-4o', count: 10, errors: 1, promptTokens: 100, completionTokens: 50, costUsd: 0.5, latencySumMs: 1500, latencyBuckets: buckets(2) },
      { minute: T0 + 2 * h, dim: 'model', value: 'mini', count: 10, errors: 0, promptTokens: 10, completionTokens: 5, costUsd: 0.1, latencySumMs: 700, latencyBuckets: buckets(0) },
    ]);
    const res = await get(`/admin/stats?from=${T0}&to=${T0 + 3 * h}&bucket=hour&dim=model`);
    expect(res.statusCode).toBe(200);
    const { series, breakdown } = res.json();
    expect(series.map((p: { t: number; count: number }) => [p.t - T0, p.count])).toEqual([[0, 10], [h, 0], [2 * h, 10]]);
    expect(series[0]).toMatchObject({ errors: 1, promptTokens: 100, completionTokens: 50, costUsd: 0.5, p50: 175 });
    expect(series[1].p50).toBeNull();
    expect(breakdown.map((b: { value: string }) => b.value).sort()).toEqual(['gpt-4o', 'mini']);
    expect((await get(`/admin/stats?from=${T0 + h}&to=${T0}`)).statusCode).toBe(400);
  });
});

describe('system and failed jobs', () => {
  it('shows heartbeats, queue counts and the store; replays failed jobs', async () => {
    const keys = redisKeys(ctx.prefix);
    const now = Date.now();
    await ctx.redis.hset(keys.gateways, 'gw-1', JSON.stringify({ id: 'gw-1', startedAt: 1, lastSeen: now, everyMs: 5000, inflight: 3, journalBytes: 0, dropped: 0, unstored: 7 }));
    // silent for more than two of its beats: stale
    await ctx.redis.hset(keys.gateways, 'gw-dead', JSON.stringify({ id: 'gw-dead', startedAt: 1, lastSeen: now - 2001, everyMs: 1000, inflight: 0, journalBytes: 0, dropped: 0 }));
    await ctx.redis.hset(keys.processors, 'proc-1', JSON.stringify({ id: 'proc-1', startedAt: 2, lastSeen: now, everyMs: 5000, processed: 42, failed: 1, storeUnavailableSince: now - 10 }));
    // unreadable: still listed, as stale
    await ctx.redis.hset(keys.processors, 'proc-garbled', '{not json');
    // silent for more than a day (killed, never stopped): forgotten
    await ctx.redis.hset(keys.gateways, 'gw-gone', JSON.stringify({ id: 'gw-gone', startedAt: 1, lastSeen: now - 25 * 3_600_000, everyMs: 5000, inflight: 0, journalBytes: 0, dropped: 0 }));
    await ctx.redis.hset(keys.processors, 'proc-gone', JSON.stringify({ id: 'proc-gone', startedAt: 1, lastSeen: now - 25 * 3_600_000, everyMs: 5000, processed: 0, failed: 0 }));
    const conn = createRedis(REDIS_URL, 'worker');
    const queue = new Queue(EXCHANGES_QUEUE, { connection: conn, prefix: keys.queuePrefix });
    await queue.add('exchange', { broken: true }, { jobId: 'job-1', attempts: 1 });
    const worker = new Worker(EXCHANGES_QUEUE, async () => { throw new Error('boom'); }, { connection: conn, prefix: keys.queuePrefix });
    await waitFor(async () => (await queue.getJobCounts('failed')).failed === 1, { what: 'job failed' });
    await worker.close();
    try {
      const sys = (await get('/admin/system')).json();
      const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(sys.gateways)).toEqual([
        // unstored: the exchanges the gateway journaled and no processor stored yet (0 from a beat without it)
        { id: 'gw-1', startedAt: 1, lastSeen: now, stale: false, inflight: 3, journalBytes: 0, dropped: 0, unstored: 7 },
        { id: 'gw-dead', startedAt: 1, lastSeen: now - 2001, stale: true, inflight: 0, journalBytes: 0, dropped: 0, unstored: 0 },
      ]);
      expect(byId(sys.processors)).toEqual([
        { id: 'proc-1', startedAt: 2, lastSeen: now, stale: false, processed: 42, failed: 1, storeUnavailableSince: now - 10 },
        { id: 'proc-garbled', startedAt: null, lastSeen: null, stale: true, processed: 0, failed: 0, storeUnavailableSince: null },
      ]);
      expect(await ctx.redis.hexists(keys.gateways, 'gw-gone')).toBe(0);
      expect(await ctx.redis.hexists(keys.processors, 'proc-gone')).toBe(0);
      expect(sys.queue.failed).toBe(1);
      expect(sys.store.kind).toBe(inject('mongoBaseUri') ? 'mongodb' : 'sqlite');
      const replay = await ctx.app.inject({ method: 'POST', url: '/admin/failed-jobs/replay', headers: bearer(ctx.adminToken) });
      expect(replay.json()).toEqual({ replayed: 1 });
      const counts = await queue.getJobCounts('failed', 'waiting');
      expect(counts).toMatchObject({ failed: 0, waiting: 1 });
    } finally {
      await queue.close();
      conn.disconnect();
    }
  });
});
