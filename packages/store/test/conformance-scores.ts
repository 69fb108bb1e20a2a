import { expect, it } from 'vitest';
import type { Score } from '@llm-relay/contracts';
import type { StoreCtx } from './conformance.ts';
import { MIN, T0, makeLog } from '@llm-relay/testkit';

const score = (value: number, at: number, by: Score['by'] = 'key'): Score => ({ value, at, by });
const range = { from: T0 - 10 * MIN, to: T0 + 10_000 * MIN };

async function scoreTotals(ctx: StoreCtx, dim: Parameters<StoreCtx['store']['queryScoreRollups']>[0]['dim'], name = 'score'): Promise<Record<string, { sum: number; count: number }>> {
  const out: Record<string, { sum: number; count: number }> = {};
  for (const r of await ctx.store.queryScoreRollups({ ...range, dim, name })) {
    const t = (out[r.value] ??= { sum: 0, count: 0 });
    t.sum = Math.round((t.sum + r.sum) * 1e9) / 1e9;
    t.count += r.count;
  }
  return out;
}

export function scoreConformance(ctx: StoreCtx): void {
  it('setScore: the later score wins, the same one changes nothing, another key is refused; roll-ups follow', async () => {
    const log = makeLog({ attribution: { user: 'alice', session: 's-1', tags: ['beta', 'search'], properties: { team: 'core' } } });
    const other = makeLog({ model: 'claude', key: { id: 'key-b', prefix: 'sk-relay-bbbb', name: 'b' } });
    await ctx.store.insertLogs([log, other]);
    expect(await ctx.store.setScore('missing', 'score', score(1, 10))).toBe('not_found');
    expect(await ctx.store.setScore(log.id, 'score', score(0.5, 10), { keyId: 'key-b' })).toBe('wrong_key');
    expect(await ctx.store.setScore(log.id, 'score', score(0.5, 10), { keyId: 'key-a' })).toBe('applied');
    expect(await ctx.store.setScore(log.id, 'score', score(0.5, 10), { keyId: 'key-a' })).toBe('unchanged');
    expect(await ctx.store.setScore(log.id, 'score', score(0.1, 5), { keyId: 'key-a' })).toBe('stale');
    expect(await ctx.store.setScore(log.id, 'score', score(0.75, 20), { keyId: 'key-a' })).toBe('applied');
    expect(await ctx.store.setScore(log.id, 'helpful', score(1, 20))).toBe('applied');
    expect(await ctx.store.setScore(other.id, 'score', score(0.25, 30, 'admin'))).toBe('applied');
    expect((await ctx.store.getLog(log.id))?.scores).toEqual({ score: score(0.75, 20), helpful: score(1, 20) });
    // one value per (log, name): the sums hold the last score of each log, once
    expect(await scoreTotals(ctx, 'all')).toEqual({ all: { sum: 1, count: 2 } });
    expect(await scoreTotals(ctx, 'model')).toEqual({ 'gpt-4o-mini': { sum: 0.75, count: 1 }, claude: { sum: 0.25, count: 1 } });
    expect(await scoreTotals(ctx, 'tag')).toEqual({ beta: { sum: 0.75, count: 1 }, search: { sum: 0.75, count: 1 } });
    expect(await scoreTotals(ctx, 'user')).toEqual({ alice: { sum: 0.75, count: 1 } });
    expect(await scoreTotals(ctx, 'property.team')).toEqual({ core: { sum: 0.75, count: 1 } });
    expect(await scoreTotals(ctx, 'all', 'helpful')).toEqual({ all: { sum: 1, count: 1 } });

    expect(await ctx.store.deleteScore(log.id, 'score')).toBe(true);
    expect(await ctx.store.deleteScore(log.id, 'score')).toBe(false);
    expect(await ctx.store.deleteScore('missing', 'score')).toBe(false);
    expect((await ctx.store.getLog(log.id))?.scores).toEqual({ helpful: score(1, 20) });
    expect(await scoreTotals(ctx, 'all')).toEqual({ all: { sum: 0.25, count: 1 } });
    expect(await scoreTotals(ctx, 'user')).toEqual({ alice: { sum: 0, count: 0 } });
    expect(await ctx.store.countLogs({ scored: true })).toBe(2);
    await ctx.store.deleteScore(log.id, 'helpful');
    expect(await ctx.store.countLogs({ scored: true })).toBe(1);
  });

  it('setScore: concurrent writes to one log keep every name, and the later score of a name', async () => {
    const log = makeLog();
    await ctx.store.insertLogs([log]);
    // the feedback worker applies jobs concurrently; these must not overwrite each other's field
    await Promise.all([
      ctx.store.setScore(log.id, 'score', score(0.2, 10)),
      ctx.store.setScore(log.id, 'score', score(0.7, 11)),
      ctx.store.setScore(log.id, 'thumbs_up', score(1, 12)),
      ctx.store.setScore(log.id, 'helpful', score(0, 13)),
    ]);
    expect((await ctx.store.getLog(log.id))?.scores).toEqual({ score: score(0.7, 11), thumbs_up: score(1, 12), helpful: score(0, 13) });
  });

  it('pending scores: the later one per (log, name) is kept, removed only as applied, expired by age', async () => {
    const p = (logId: string, name: string, value: number, at: number) => ({ logId, name, keyId: 'key-a', score: score(value, at) });
    await ctx.store.addPendingScore(p('l-1', 'score', 0.5, 100));
    await ctx.store.addPendingScore(p('l-1', 'score', 0.1, 50));
    await ctx.store.addPendingScore(p('l-1', 'helpful', 1, 60));
    await ctx.store.addPendingScore(p('l-2', 'score', 0.3, 10));
    const byName = async (ids: string[]) => (await ctx.store.pendingScoresFor(ids)).sort((a, b) => `${a.logId}${a.name}`.localeCompare(`${b.logId}${b.name}`));
    expect(await byName(['l-1', 'l-3'])).toEqual([p('l-1', 'helpful', 1, 60), p('l-1', 'score', 0.5, 100)]);
    await ctx.store.addPendingScore(p('l-1', 'score', 0.9, 200));
    // deleting the one applied leaves a newer one that arrived meanwhile
    await ctx.store.deletePendingScore(p('l-1', 'score', 0.5, 100));
    expect(await byName(['l-1'])).toEqual([p('l-1', 'helpful', 1, 60), p('l-1', 'score', 0.9, 200)]);
    await ctx.store.deletePendingScore(p('l-1', 'score', 0.9, 200));
    expect(await byName(['l-1'])).toEqual([p('l-1', 'helpful', 1, 60)]);
    expect(await ctx.store.expirePendingScores(61)).toBe(2);
    expect(await ctx.store.pendingScoresFor(['l-1', 'l-2'])).toEqual([]);
    expect(await ctx.store.pendingScoresFor([])).toEqual([]);
  });
}
