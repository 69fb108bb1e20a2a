import { expect, it } from 'vitest';
import type { StoredLog } from '@llm-relay/contracts';
import { ROLLUP_LATENCY_BUCKETS, type Rollup } from '../src/port.ts';
import { ALL_TIME_MINUTE, PROMPT_TOTAL_DIMS } from '../src/port-prompts.ts';
import type { StoreCtx } from './conformance.ts';
import { T0, makeLog } from '@llm-relay/testkit';

/** lifetime rows of each log's prompt family and version, as the processor writes them */
function promptTotals(logs: StoredLog[]): Rollup[] {
  const rows = new Map<string, Rollup>();
  for (const l of logs) {
    if (!l.prompt) continue;
    for (const [dim, value] of [[PROMPT_TOTAL_DIMS.family, l.prompt.familyId], [PROMPT_TOTAL_DIMS.version, l.prompt.versionId]] as const) {
      const row = rows.get(dim + value) ?? { minute: ALL_TIME_MINUTE, dim, value, count: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, latencySumMs: 0, latencyBuckets: new Array<number>(ROLLUP_LATENCY_BUCKETS.length + 1).fill(0) };
      row.count += 1;
      row.errors += l.status >= 400 ? 1 : 0;
      row.promptTokens += l.usage.prompt ?? 0;
      row.completionTokens += l.usage.completion ?? 0;
      row.costUsd += l.cost.usd ?? 0;
      row.latencySumMs += l.latency.total;
      row.latencyBuckets[3]! += 1;
      rows.set(dim + value, row);
    }
  }
  return [...rows.values()];
}

const ref = (familyId: string, versionId: string, versionLabel: string) => ({ familyId, versionId, familyName: 'f', versionLabel, source: 'detected' as const });

export function promptConformance(ctx: StoreCtx): void {
  it('ensurePromptFamily creates once; the stored family wins over a second creation', async () => {
    const a = await ctx.store.ensurePromptFamily({ id: 'pf_a', name: 'You are a helpful…', source: 'detected', createdAt: T0 });
    expect(a).toEqual({ id: 'pf_a', name: 'You are a helpful…', source: 'detected', createdAt: T0, updatedAt: T0, firstAt: null, lastAt: null });
    const again = await ctx.store.ensurePromptFamily({ id: 'pf_a', name: 'other name', source: 'detected', createdAt: T0 + 5 });
    expect(again).toEqual(a);
  });

  it('versions are labelled v1, v2, … per family in creation order; an id or an explicit label is returned as stored', async () => {
    await ctx.store.ensurePromptFamily({ id: 'pf_a', name: 'a', source: 'detected', createdAt: T0 });
    await ctx.store.ensurePromptFamily({ id: 'pf_b', name: 'b', source: 'explicit', createdAt: T0 });
    const v1 = await ctx.store.ensurePromptVersion({ id: 'pv_1', familyId: 'pf_a', text: 'one {{date}}', createdAt: T0 });
    const v2 = await ctx.store.ensurePromptVersion({ id: 'pv_2', familyId: 'pf_a', text: 'two', createdAt: T0 + 1 });
    const other = await ctx.store.ensurePromptVersion({ id: 'pv_3', familyId: 'pf_b', text: 'three', createdAt: T0 + 2 });
    expect([v1.label, v2.label, other.label]).toEqual(['v1', 'v2', 'v1']);
    expect(v1).toMatchObject({ id: 'pv_1', familyId: 'pf_a', text: 'one {{date}}', createdAt: T0, firstAt: null, lastAt: null });
    expect(await ctx.store.ensurePromptVersion({ id: 'pv_1', familyId: 'pf_a', text: 'one {{date}}', createdAt: T0 + 9 })).toEqual(v1);
    const named = await ctx.store.ensurePromptVersion({ id: 'pv_x', familyId: 'pf_b', text: 't', label: '2026-q4', createdAt: T0 + 3 });
    expect(named.label).toBe('2026-q4');
    // a label already held names that version, whatever id the caller derived
    expect(await ctx.store.ensurePromptVersion({ id: 'pv_y', familyId: 'pf_b', text: 'other', label: 'v1', createdAt: T0 + 4 })).toEqual(other);
    // the next automatic label skips labels taken explicitly
    await ctx.store.ensurePromptVersion({ id: 'pv_z', familyId: 'pf_b', text: 't', label: 'v3', createdAt: T0 + 5 });
    expect((await ctx.store.ensurePromptVersion({ id: 'pv_w', familyId: 'pf_b', text: 'w', createdAt: T0 + 6 })).label).toBe('v4');
  });

  it('concurrent new versions of one family get distinct labels', async () => {
    await ctx.store.ensurePromptFamily({ id: 'pf_c', name: 'c', source: 'detected', createdAt: T0 });
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ctx.store.ensurePromptVersion({ id: `pv_c${i}`, familyId: 'pf_c', text: `t${i}`, createdAt: T0 + i })),
    );
    expect(new Set(made.map((v) => v.label))).toEqual(new Set(['v1', 'v2', 'v3', 'v4', 'v5', 'v6']));
    // and the same new version created twice at once is one version
    const twice = await Promise.all([0, 1].map(() => ctx.store.ensurePromptVersion({ id: 'pv_same', familyId: 'pf_c', text: 's', createdAt: T0 })));
    expect(twice[0]).toEqual(twice[1]);
    expect((await ctx.store.getPromptFamily('pf_c'))!.versions).toHaveLength(7);
  });

  it('touchPromptVersions widens firstAt/lastAt of versions and families; repeating it changes nothing', async () => {
    await ctx.store.ensurePromptFamily({ id: 'pf_a', name: 'a', source: 'detected', createdAt: T0 });
    await ctx.store.ensurePromptVersion({ id: 'pv_1', familyId: 'pf_a', text: 'one', createdAt: T0 });
    await ctx.store.ensurePromptVersion({ id: 'pv_2', familyId: 'pf_a', text: 'two', createdAt: T0 });
    const seen = [
      { versionId: 'pv_1', familyId: 'pf_a', firstAt: T0 + 50, lastAt: T0 + 60 },
      { versionId: 'pv_2', familyId: 'pf_a', firstAt: T0 + 10, lastAt: T0 + 20 },
    ];
    await ctx.store.touchPromptVersions(seen);
    await ctx.store.touchPromptVersions(seen);
    await ctx.store.touchPromptVersions([{ versionId: 'pv_1', familyId: 'pf_a', firstAt: T0 + 55, lastAt: T0 + 100 }]);
    const d = (await ctx.store.getPromptFamily('pf_a'))!;
    expect(d.family).toMatchObject({ firstAt: T0 + 10, lastAt: T0 + 100 });
    expect(d.versions.map((v) => [v.label, v.firstAt, v.lastAt])).toEqual([
      ['v1', T0 + 50, T0 + 100],
      ['v2', T0 + 10, T0 + 20],
    ]);
  });

  it('lifetime totals come from the exactly-once roll-ups: a redelivered log is not counted again', async () => {
    await ctx.store.ensurePromptFamily({ id: 'pf_a', name: 'a', source: 'detected', createdAt: T0 });
    await ctx.store.ensurePromptVersion({ id: 'pv_1', familyId: 'pf_a', text: 'one', createdAt: T0 });
    await ctx.store.ensurePromptVersion({ id: 'pv_2', familyId: 'pf_a', text: 'two', createdAt: T0 });
    const logs = [
      makeLog({ prompt: ref('pf_a', 'pv_1', 'v1') }),
      makeLog({ prompt: ref('pf_a', 'pv_1', 'v1'), status: 500, outcome: 'upstream_error' }),
      makeLog({ prompt: ref('pf_a', 'pv_2', 'v2') }),
    ];
    await ctx.store.insertLogsWithRollups(logs, promptTotals);
    await ctx.store.insertLogsWithRollups([logs[0]!], promptTotals);
    const page = await ctx.store.listPromptFamilies({ limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ id: 'pf_a', versionCount: 2, totals: { count: 3, errors: 1, promptTokens: 36, completionTokens: 90 } });
    const d = (await ctx.store.getPromptFamily('pf_a'))!;
    expect(d.versions.map((v) => [v.id, v.totals?.count, v.totals?.errors])).toEqual([
      ['pv_1', 2, 1],
      ['pv_2', 1, 0],
    ]);
    expect(d.versions[0]!.totals!.latencyBuckets[3]).toBe(2);
    // a version nothing was stored for yet has no totals
    await ctx.store.ensurePromptVersion({ id: 'pv_3', familyId: 'pf_a', text: 'three', createdAt: T0 });
    expect((await ctx.store.getPromptFamily('pf_a'))!.versions[2]!.totals).toBeNull();
  });

  it('lists families newest first in stable pages; renames show in the list and in the index since the rename', async () => {
    for (const [i, id] of ['pf_1', 'pf_2', 'pf_3'].entries()) await ctx.store.ensurePromptFamily({ id, name: id, source: 'detected', createdAt: T0 + i });
    const p1 = await ctx.store.listPromptFamilies({ limit: 2 });
    expect(p1.items.map((f) => [f.id, f.versionCount, f.totals])).toEqual([
      ['pf_3', 0, null],
      ['pf_2', 0, null],
    ]);
    const p2 = await ctx.store.listPromptFamilies({ limit: 2, cursor: p1.nextCursor });
    expect(p2.items.map((f) => f.id)).toEqual(['pf_1']);
    expect(p2.nextCursor).toBeNull();
    expect(await ctx.store.getPromptFamily('nope')).toBeNull();
    expect(await ctx.store.renamePromptFamily('nope', 'x', T0)).toBeNull();

    const renamed = await ctx.store.renamePromptFamily('pf_1', 'Checkout assistant', T0 + 100);
    expect(renamed).toMatchObject({ id: 'pf_1', name: 'Checkout assistant', updatedAt: T0 + 100, createdAt: T0 });
    expect((await ctx.store.listPromptFamilies({ limit: 5 })).items.find((f) => f.id === 'pf_1')!.name).toBe('Checkout assistant');
    await ctx.store.ensurePromptVersion({ id: 'pv_new', familyId: 'pf_2', text: 'n', createdAt: T0 + 100 });
    const since = await ctx.store.listPromptIndex({ since: T0 + 50 });
    expect(since.families.map((f) => f.id)).toEqual(['pf_1']);
    expect(since.versions.map((v) => v.id)).toEqual(['pv_new']);
    expect((await ctx.store.listPromptIndex()).families).toHaveLength(3);
  });

  it('a score set on a log with a prompt moves the lifetime score rows of its family and version', async () => {
    const log = makeLog({ prompt: ref('pf_s', 'pv_s', 'v1') });
    await ctx.store.insertLogs([log]);
    const lifetime = async (dim: 'promptFamilyTotal' | 'promptVersionTotal') =>
      (await ctx.store.queryScoreRollups({ from: ALL_TIME_MINUTE, to: ALL_TIME_MINUTE + 1, dim, name: 'score' })).map((r) => [r.value, r.sum, r.count]);
    expect(await ctx.store.setScore(log.id, 'score', { value: 4, at: T0 + 1, by: 'admin' })).toBe('applied');
    expect(await lifetime(PROMPT_TOTAL_DIMS.version)).toEqual([['pv_s', 4, 1]]);
    expect(await ctx.store.setScore(log.id, 'score', { value: 1, at: T0 + 2, by: 'key' })).toBe('applied');
    expect(await lifetime(PROMPT_TOTAL_DIMS.family)).toEqual([['pf_s', 1, 1]]);
    await ctx.store.deleteScore(log.id, 'score');
    expect(await lifetime(PROMPT_TOTAL_DIMS.version)).toEqual([['pv_s', 0, 0]]);
  });
}
