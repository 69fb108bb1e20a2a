import { expect, it } from 'vitest';
import type { StoredLog } from '@llm-relay/contracts';
import { MIN, T0, asRead, makeLog } from '@llm-relay/testkit';
import { ROLLUP_LATENCY_BUCKETS, type Rollup } from '../src/port.ts';
import { isStoreConflict, type ProjectRecord } from '../src/port-projects.ts';
import { minuteOf, rollupDims } from '../src/attribution.ts';
import { sumRollups } from '../src/shared.ts';
import type { StoreCtx } from './conformance.ts';
import { key } from './conformance-config.ts';

function project(id: string, over: Partial<ProjectRecord> = {}): ProjectRecord {
  return { id, name: `project ${id}`, budget: null, alertWebhookUrl: null, alertThresholds: [0.5, 0.8, 1], createdAt: T0, updatedAt: T0, ...over };
}

/** the processor's roll-ups in small: every dimension of rollupDims (so `key` and `project`), with the cost */
function costRollupsFor(logs: StoredLog[]): Rollup[] {
  return sumRollups(
    logs.flatMap((l) =>
      rollupDims(l).map(([dim, value]) => ({
        minute: minuteOf(l.createdAt),
        dim,
        value,
        count: 1,
        errors: 0,
        promptTokens: 0,
        completionTokens: 0,
        costUsd: l.cost.usd ?? 0,
        latencySumMs: 0,
        latencyBuckets: new Array<number>(ROLLUP_LATENCY_BUCKETS.length + 1).fill(0),
      })),
    ),
  );
}

const conflictCode = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (err: unknown) => (isStoreConflict(err) ? err.code : `other: ${String(err)}`),
  );

const UNPRICED = { usd: null, price: null };
const keyRef = (id: string, projectId?: string) => ({ id, prefix: `sk-relay-${id}`, name: `key ${id}`, ...(projectId ? { projectId } : {}) });

export function projectConformance(ctx: StoreCtx): void {
  it('creates, lists, updates and deletes projects; names are unique whatever their case', async () => {
    const a = project('p-a', { name: 'Search', budget: { usd: 10, period: 'month' }, alertWebhookUrl: 'https://hooks.example/a' });
    const b = project('p-b', { name: 'Chat', createdAt: T0 + 1, updatedAt: T0 + 1 });
    await ctx.store.createProject(a);
    await ctx.store.createProject(b);
    expect(await ctx.store.listProjects()).toEqual([a, b]);
    expect(await ctx.store.getProject('p-a')).toEqual(a);
    expect(await ctx.store.getProject('nope')).toBeNull();

    expect(await conflictCode(ctx.store.createProject(project('p-c', { name: ' search ' })))).toBe('project_name_taken');
    expect(await conflictCode(ctx.store.updateProject('p-b', { name: 'SEARCH', updatedAt: T0 + 5 }))).toBe('project_name_taken');
    expect(await ctx.store.getProject('p-c')).toBeNull();

    // fields left out stay; null is a value (no budget, no webhook)
    const updated = await ctx.store.updateProject('p-a', { budget: null, alertThresholds: [1], updatedAt: T0 + 9 });
    expect(updated).toEqual({ ...a, budget: null, alertThresholds: [1], updatedAt: T0 + 9 });
    expect(await ctx.store.getProject('p-a')).toEqual(updated);
    // a name freed by a rename is free, and a project may take its own name in another case
    expect(await ctx.store.updateProject('p-a', { name: 'Search engine', updatedAt: T0 + 10 })).toMatchObject({ name: 'Search engine' });
    await ctx.store.createProject(project('p-c', { name: 'search', createdAt: T0 + 2 }));
    expect(await ctx.store.updateProject('p-c', { name: 'Search', updatedAt: T0 + 11 })).toMatchObject({ name: 'Search' });
    expect(await ctx.store.updateProject('nope', { name: 'x', updatedAt: T0 })).toBeNull();

    expect(await ctx.store.deleteProject('p-b')).toBe(true);
    expect(await ctx.store.deleteProject('p-b')).toBe(false);
    expect((await ctx.store.listProjects()).map((p) => p.id)).toEqual(['p-a', 'p-c']);
  });

  it('keys carry their project and budget; deleting a project takes its keys out of it', async () => {
    await ctx.store.createProject(project('p-a'));
    await ctx.store.createProject(project('p-b', { name: 'other' }));
    const k1 = key('k1', { projectId: 'p-a', budget: { usd: 2.5, period: 'day' } });
    const k2 = key('k2', { projectId: 'p-a' });
    const k3 = key('k3', { projectId: 'p-b', budget: { usd: 1, period: 'month' } });
    for (const k of [k1, k2, k3]) await ctx.store.upsertKey(k);
    expect(await ctx.store.getKey('k1')).toEqual(k1);
    await ctx.store.upsertKey({ ...k2, projectId: null, budget: { usd: 3, period: 'month' } });
    expect(await ctx.store.getKey('k2')).toEqual({ ...k2, projectId: null, budget: { usd: 3, period: 'month' } });
    await ctx.store.upsertKey(k2);

    expect(await ctx.store.deleteProject('p-a')).toBe(true);
    expect(await ctx.store.getKey('k1')).toEqual({ ...k1, projectId: null });
    expect(await ctx.store.getKey('k2')).toEqual({ ...k2, projectId: null });
    expect(await ctx.store.getKey('k3')).toEqual(k3);
  });

  it('logs keep the project of their key: read back, filtered on, counted under the project dimension', async () => {
    const inA = makeLog({ key: keyRef('k1', 'p-a') });
    const inB = makeLog({ key: keyRef('k2', 'p-b') });
    const none = makeLog({ key: keyRef('k3') });
    const keyless = makeLog({ key: null });
    await ctx.store.insertLogsWithRollups([inA, inB, none, keyless], costRollupsFor);
    expect(await ctx.store.getLog(inA.id)).toEqual(asRead(inA));
    expect(await ctx.store.getLog(none.id)).toEqual(asRead(none));
    expect((await ctx.store.listLogs({ projectId: 'p-a' }, { limit: 10 })).items.map((l) => l.id)).toEqual([inA.id]);
    expect((await ctx.store.listLogs({ projectId: 'p-a' }, { limit: 10 })).items[0]!.key).toEqual(keyRef('k1', 'p-a'));
    expect(await ctx.store.countLogs({ projectId: 'p-b' })).toBe(1);
    expect(await ctx.store.countLogs({ projectId: 'p-c' })).toBe(0);
    const rows = await ctx.store.queryRollups({ from: T0, to: T0 + 60 * MIN, dim: 'project' });
    expect(rows.map((r) => [r.value, r.count]).sort()).toEqual([
      ['p-a', 1],
      ['p-b', 1],
    ]);
  });

  it('spendSince sums cost per key and project from a time on, and counts the calls without a price', async () => {
    const since = T0 + 10 * MIN;
    const at = (m: number) => since + m * MIN;
    const tokens = { prompt: 100, completion: 20, total: 120, cached: 0, reasoning: null, source: 'provider' as const };
    const priced = (usd: number) => ({ usd, price: { model: 'gpt-4o', input: 2.5, output: 10, source: 'table' as const } });
    const logs = [
      makeLog({ createdAt: at(-1), key: keyRef('k1', 'p-a'), cost: priced(7) }), // before: not counted
      makeLog({ createdAt: at(0), key: keyRef('k1', 'p-a'), cost: priced(0.5) }),
      makeLog({ createdAt: at(1), key: keyRef('k1', 'p-a'), cost: priced(0.25) }),
      makeLog({ createdAt: at(2), key: keyRef('k2', 'p-a'), cost: UNPRICED, usage: tokens }),
      makeLog({ createdAt: at(3), key: keyRef('k2', 'p-a'), cost: UNPRICED, usage: tokens }),
      makeLog({ createdAt: at(-2), key: keyRef('k2', 'p-a'), cost: UNPRICED, usage: tokens }), // before
      makeLog({ createdAt: at(4), key: keyRef('k3'), cost: priced(1) }),
      // a failure without token counts is not an unpriced call
      makeLog({ createdAt: at(5), key: keyRef('k3'), cost: UNPRICED, usage: { ...tokens, prompt: null, completion: null, total: null }, status: 502, outcome: 'upstream_error' }),
      makeLog({ createdAt: at(6), key: null, cost: priced(4) }),
    ];
    await ctx.store.insertLogsWithRollups(logs, costRollupsFor);
    const spend = await ctx.store.spendSince(since);
    expect(spend.keys).toEqual({
      k1: { usd: 0.75, unpricedCalls: 0 },
      k2: { usd: 0, unpricedCalls: 2 },
      k3: { usd: 1, unpricedCalls: 0 },
    });
    expect(spend.projects).toEqual({ 'p-a': { usd: 0.75, unpricedCalls: 2 } });
    expect(await ctx.store.spendSince(at(60))).toEqual({ keys: {}, projects: {} });

    // a price correction that prices the calls which had none takes them out of the unpriced count
    await ctx.store.updateCosts({ keyId: 'k2' }, () => priced(0.1));
    expect((await ctx.store.spendSince(since)).projects['p-a']).toEqual({ usd: 0.75, unpricedCalls: 0 });
  });
}
