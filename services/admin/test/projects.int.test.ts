import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodStart, spendKey, type StoredLog } from '@llm-relay/contracts';
import { readSnapshot } from '@llm-relay/server-kit';
import { ROLLUP_LATENCY_BUCKETS, minuteOf, rollupDims, sumRollups, type Rollup } from '@llm-relay/store';
import { makeLog } from '@llm-relay/testkit';
import { bearer, setup, type TestContext } from './helper.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setup();
});
afterAll(async () => {
  await ctx?.close();
});

const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(ctx.adminToken), ...(payload ? { payload } : {}) });
const snapshot = async () => (await readSnapshot(ctx.redis, ctx.prefix))!;
const createProject = async (body: object) => {
  const res = await admin('POST', '/admin/projects', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; name: string };
};
const createKey = async (body: object) => {
  const res = await admin('POST', '/admin/api-keys', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().key as { id: string; name: string; prefix: string; projectId: string | null };
};

/** the processor's roll-ups in small: the dimensions of rollupDims (so `key` and `project`) with count and cost */
function rollupsFor(logs: StoredLog[]): Rollup[] {
  const zero = new Array<number>(ROLLUP_LATENCY_BUCKETS.length + 1).fill(0);
  return sumRollups(
    logs.flatMap((l) =>
      rollupDims(l).map(([dim, value]) => ({ minute: minuteOf(l.createdAt), dim, value, count: 1, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: l.cost.usd ?? 0, latencySumMs: 0, latencyBuckets: zero })),
    ),
  );
}
const priced = (usd: number) => ({ usd, price: { model: 'gpt-4o-mini', input: 0.15, output: 0.6, source: 'table' as const } });

describe('projects', () => {
  it('create, read, update and delete: defaults, a taken name, bad input naming its field, audit and the gateway snapshot', async () => {
    const created = await admin('POST', '/admin/projects', { name: 'Search', budget: { usd: 25, period: 'month' }, alertWebhookUrl: 'https://hooks.example.com/a' });
    expect(created.statusCode).toBe(201);
    const p = created.json();
    expect(p).toMatchObject({ name: 'Search', budget: { usd: 25, period: 'month' }, alertWebhookUrl: 'https://hooks.example.com/a', alertThresholds: [0.5, 0.8, 1], keys: [] });
    expect(p.spend).toEqual({ usd: 0, periodStart: periodStart('month', Date.now()), unpricedCalls: 0 });
    expect((await snapshot()).projects).toContainEqual({ id: p.id, name: 'Search', budget: { usd: 25, period: 'month' } });

    const taken = await admin('POST', '/admin/projects', { name: ' search ' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'project_name_taken', param: 'name' });
    for (const [body, param] of [
      [{ name: 'x', budget: { usd: -1, period: 'month' } }, 'budget.usd'],
      [{ name: 'x', budget: { usd: 1, period: 'week' } }, 'budget.period'],
      [{ name: 'x', alertWebhookUrl: 'ftp://hooks.example.com' }, 'alertWebhookUrl'],
      [{ name: '' }, 'name'],
      [{ name: 'x', color: 'red' }, null],
    ] as const) {
      const res = await admin('POST', '/admin/projects', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', ...(param ? { param } : {}) });
    }

    const version = (await snapshot()).version;
    const patched = await admin('PATCH', `/admin/projects/${p.id}`, { budget: { usd: 2, period: 'day' }, alertThresholds: [1, 0.9, 0.9] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Search', budget: { usd: 2, period: 'day' }, alertThresholds: [0.9, 1], alertWebhookUrl: 'https://hooks.example.com/a' });
    expect(patched.json().spend.periodStart).toBe(periodStart('day', Date.now()));
    const snap = await snapshot();
    expect(snap.version).toBeGreaterThan(version);
    expect(snap.projects).toContainEqual({ id: p.id, name: 'Search', budget: { usd: 2, period: 'day' } });
    expect((await admin('PATCH', `/admin/projects/${p.id}`, { budget: null, alertWebhookUrl: null })).json()).toMatchObject({ budget: null, alertWebhookUrl: null });
    expect((await snapshot()).projects).toContainEqual({ id: p.id, name: 'Search' });

    const other = await createProject({ name: 'Chat' });
    const rename = await admin('PATCH', `/admin/projects/${other.id}`, { name: 'SEARCH' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().error.param).toBe('name');
    expect((await admin('GET', `/admin/projects/${other.id}`)).json().name).toBe('Chat');
    expect((await admin('GET', '/admin/projects')).json().items.map((x: { name: string }) => x.name)).toEqual(['Search', 'Chat']);

    const missing = await admin('GET', '/admin/projects/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'project_not_found', type: 'not_found_error' });
    expect((await admin('PATCH', '/admin/projects/nope', { name: 'y' })).statusCode).toBe(404);
    expect((await admin('DELETE', `/admin/projects/${other.id}`)).statusCode).toBe(204);
    expect((await admin('DELETE', `/admin/projects/${other.id}`)).statusCode).toBe(404);
    expect((await snapshot()).projects.map((x) => x.id)).not.toContain(other.id);

    const actions = (await admin('GET', '/admin/audit?limit=20')).json().items.map((a: { action: string; target: string }) => `${a.action} ${a.target}`);
    expect(actions).toEqual(expect.arrayContaining([`project.create ${p.id}`, `project.update ${p.id}`, `project.create ${other.id}`, `project.delete ${other.id}`]));
  });

  it('keys join a project (one that exists), carry their own budget, are listed by project, and leave a deleted project', async () => {
    const p = await createProject({ name: 'Billing', budget: { usd: 1, period: 'month' } });
    const unknown = await admin('POST', '/admin/api-keys', { name: 'k', projectId: 'no-such-project' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'unknown_project', param: 'projectId' });
    const badBudget = await admin('POST', '/admin/api-keys', { name: 'k', budget: { usd: 0, period: 'day' } });
    expect(badBudget.json().error.param).toBe('budget.usd');

    const k1 = await createKey({ name: 'billing-1', projectId: p.id, budget: { usd: 0.5, period: 'day' } });
    expect(k1).toMatchObject({ projectId: p.id, budget: { usd: 0.5, period: 'day' } });
    const k2 = await createKey({ name: 'outside' });
    expect(k2).toMatchObject({ projectId: null, budget: null });
    expect((await snapshot()).keys.find((k) => k.id === k1.id)).toMatchObject({ projectId: p.id, budget: { usd: 0.5, period: 'day' } });
    const gk2 = (await snapshot()).keys.find((k) => k.id === k2.id)!;
    expect(gk2.projectId).toBeUndefined();
    expect(gk2.budget).toBeUndefined();

    expect((await admin('GET', `/admin/api-keys?projectId=${p.id}`)).json().items.map((k: { id: string }) => k.id)).toEqual([k1.id]);
    expect((await admin('PATCH', `/admin/api-keys/${k2.id}`, { projectId: 'nope' })).json().error).toMatchObject({ code: 'unknown_project', param: 'projectId' });
    expect((await admin('PATCH', `/admin/api-keys/${k2.id}`, { projectId: p.id })).json()).toMatchObject({ projectId: p.id, budget: null });
    expect((await admin('GET', `/admin/api-keys?projectId=${p.id}`)).json().items.map((k: { id: string }) => k.id).sort()).toEqual([k1.id, k2.id].sort());
    expect((await admin('GET', `/admin/projects/${p.id}`)).json().keys.map((k: { name: string }) => k.name).sort()).toEqual(['billing-1', 'outside']);
    expect((await admin('PATCH', `/admin/api-keys/${k1.id}`, { budget: null, projectId: null })).json()).toMatchObject({ projectId: null, budget: null });
    expect((await snapshot()).keys.find((k) => k.id === k1.id)?.budget).toBeUndefined();

    expect((await admin('DELETE', `/admin/projects/${p.id}`)).statusCode).toBe(204);
    expect((await admin('GET', '/admin/api-keys')).json().items.find((k: { id: string }) => k.id === k2.id).projectId).toBeNull();
    expect((await snapshot()).keys.find((k) => k.id === k2.id)?.projectId).toBeUndefined();
  });

  it('shows spend in the current period from the Redis counters, and from the store when the counters are gone', async () => {
    const p = await createProject({ name: 'Spendy', budget: { usd: 10, period: 'day' } });
    const k = await createKey({ name: 'spendy-key', projectId: p.id });
    const now = Date.now();
    const ref = { id: k.id, prefix: k.prefix, name: k.name, projectId: p.id };
    const unpricedUsage = { prompt: 10, completion: 10, total: 20, cached: 0, reasoning: null, source: 'provider' as const };
    await ctx.store.insertLogsWithRollups(
      [
        makeLog({ createdAt: now - 2000, key: ref, cost: priced(0.75) }),
        makeLog({ createdAt: now - 1000, key: ref, cost: priced(0.5) }),
        makeLog({ createdAt: now - 500, key: ref, cost: { usd: null, price: null }, usage: unpricedUsage }),
      ],
      rollupsFor,
    );
    // no counters in Redis (a Redis that lost them): the store's count
    const fromStore = (await admin('GET', '/admin/projects')).json().items.find((x: { id: string }) => x.id === p.id);
    expect(fromStore.spend).toEqual({ usd: 1.25, periodStart: periodStart('day', now), unpricedCalls: 1 });
    expect(fromStore.keys[0]).toMatchObject({ id: k.id, budget: null, spend: { usd: 1.25, periodStart: periodStart('month', now), unpricedCalls: 1 } });

    // the processor's counters, once there, are what the view shows
    const projectCounter = spendKey(ctx.prefix, 'project', p.id, 'day', now);
    await ctx.redis.set(projectCounter, 3_250_000);
    await ctx.redis.set(`${projectCounter}:unpriced`, 4);
    await ctx.redis.set(spendKey(ctx.prefix, 'key', k.id, 'month', now), 2_000_001);
    const live = (await admin('GET', `/admin/projects/${p.id}`)).json();
    expect(live.spend).toEqual({ usd: 3.25, periodStart: periodStart('day', now), unpricedCalls: 4 });
    expect(live.keys[0].spend).toEqual({ usd: 2.000001, periodStart: periodStart('month', now), unpricedCalls: 0 });
  });

  it('logs filter by project, the export carries it, and stats break down by project with its name', async () => {
    const p = await createProject({ name: 'Stats project' });
    const k = await createKey({ name: 'stats-key', projectId: p.id });
    const now = Date.now();
    const inProject = makeLog({ createdAt: now - 3000, key: { id: k.id, prefix: k.prefix, name: k.name, projectId: p.id }, cost: priced(0.25) });
    const outside = makeLog({ createdAt: now - 2000, key: { id: 'other', prefix: 'sk-relay-othe', name: 'other' } });
    await ctx.store.insertLogsWithRollups([inProject, outside], rollupsFor);

    const list = (await admin('GET', `/admin/logs?projectId=${p.id}`)).json();
    expect(list.items.map((l: { id: string }) => l.id)).toEqual([inProject.id]);
    expect(list.items[0].key.projectId).toBe(p.id);
    const csv = (await admin('GET', `/admin/logs/export?format=csv&projectId=${p.id}`)).body.trim().split('\n');
    expect(csv).toHaveLength(2);
    const header = csv[0]!.split(',');
    expect(csv[1]!.split(',')[header.indexOf('projectId')]).toBe(p.id);

    const stats = (await admin('GET', `/admin/stats?dim=project&from=${now - 3_600_000}&to=${now + 60_000}`)).json();
    const row = stats.breakdown.find((b: { value: string }) => b.value === p.id);
    expect(row).toMatchObject({ label: 'Stats project', count: 1, costUsd: 0.25 });
    expect(stats.breakdown.map((b: { value: string }) => b.value)).not.toContain('other');
  });
});
