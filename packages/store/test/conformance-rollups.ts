import { expect, it } from 'vitest';
import type { StoredLog } from '@llm-relay/contracts';
import { ROLLUP_LATENCY_BUCKETS, type Rollup } from '../src/port.ts';
import type { StoreCtx } from './conformance.ts';
import { MIN, T0, makeLog } from '@llm-relay/testkit';

/** A small pure roll-up function: per minute, everything and per model (the processor's has more dimensions). */
export function testRollupsFor(logs: StoredLog[]): Rollup[] {
  const rows = new Map<string, Rollup>();
  for (const l of logs) {
    const minute = Math.floor(l.createdAt / MIN) * MIN;
    for (const [dim, value] of [['all', 'all'], ['model', l.model ?? 'unknown']] as const) {
      const k = `${minute}|${dim}|${value}`;
      const row = rows.get(k) ?? { minute, dim, value, count: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, latencySumMs: 0, latencyBuckets: new Array<number>(ROLLUP_LATENCY_BUCKETS.length + 1).fill(0) };
      row.count += 1;
      row.errors += l.status >= 400 ? 1 : 0;
      row.promptTokens += l.usage.prompt ?? 0;
      row.latencySumMs += l.latency.total;
      row.latencyBuckets[3]! += 1;
      rows.set(k, row);
    }
  }
  return [...rows.values()];
}

/** total count on the 'all' dimension, and per model, over the fixtures' time range */
export async function counted(ctx: StoreCtx): Promise<{ all: number; byModel: Record<string, number>; prompt: number }> {
  const range = { from: T0 - 10 * MIN, to: T0 + 10_000 * MIN };
  const all = await ctx.store.queryRollups({ ...range, dim: 'all' });
  const byModel: Record<string, number> = {};
  for (const r of await ctx.store.queryRollups({ ...range, dim: 'model' })) byModel[r.value] = (byModel[r.value] ?? 0) + r.count;
  return { all: all.reduce((s, r) => s + r.count, 0), byModel, prompt: all.reduce((s, r) => s + r.promptTokens, 0) };
}

export function rollupConformance(ctx: StoreCtx): void {
  it('insertLogsWithRollups counts each stored log once: redeliveries and repeats add nothing', async () => {
    const [a, b, c] = [makeLog(), makeLog({ model: 'claude' }), makeLog({ createdAt: T0 + 5 * MIN })];
    const seen: string[][] = [];
    const spy = (logs: StoredLog[]) => (seen.push(logs.map((l) => l.id)), testRollupsFor(logs));
    expect(await ctx.store.insertLogsWithRollups([a!, b!, a!], spy)).toEqual([a!.id, b!.id]);
    expect(await ctx.store.insertLogsWithRollups([b!, c!, c!], spy)).toEqual([c!.id]);
    expect(await ctx.store.insertLogsWithRollups([a!, b!], spy)).toEqual([]);
    expect(await ctx.store.insertLogsWithRollups([], spy)).toEqual([]);
    // the function only ever sees logs that are new, each once
    expect(seen.flat().sort()).toEqual([a!.id, b!.id, c!.id].sort());
    expect(await counted(ctx)).toEqual({ all: 3, byModel: { claude: 1, 'gpt-4o-mini': 2 }, prompt: 36 });
    expect(await ctx.store.countLogs({})).toBe(3);
    expect((await ctx.store.getLog(a!.id))?.id).toBe(a!.id);
  });

  it('a batch that fails between its logs and its roll-ups loses no count after a retry and recovery', async () => {
    const logs = Array.from({ length: 20 }, (_, i) => makeLog({ model: i % 2 ? 'm-odd' : 'm-even' }));
    const boom = () => {
      throw new Error('died before the roll-ups');
    };
    await expect(ctx.store.insertLogsWithRollups(logs.slice(0, 12), boom)).rejects.toThrow('died before the roll-ups');
    // the job is redelivered with its batch-mates regrouped; then recovery runs (nothing is too young for it here)
    await ctx.store.insertLogsWithRollups(logs, testRollupsFor);
    await ctx.store.recoverRollups(testRollupsFor, { olderThanMs: 0 });
    expect(await ctx.store.countLogs({})).toBe(20);
    expect(await counted(ctx)).toEqual({ all: 20, byModel: { 'm-odd': 10, 'm-even': 10 }, prompt: 240 });
    // recovery is idempotent and finds nothing left
    expect(await ctx.store.recoverRollups(testRollupsFor, { olderThanMs: 0 })).toBe(0);
    expect((await counted(ctx)).all).toBe(20);
  });

  it('recoverRollups leaves young batches to their writer and changes nothing on a clean store', async () => {
    await ctx.store.insertLogsWithRollups([makeLog(), makeLog()], testRollupsFor);
    expect(await ctx.store.recoverRollups(testRollupsFor)).toBe(0);
    expect(await ctx.store.recoverRollups(testRollupsFor, { olderThanMs: 0 })).toBe(0);
    expect((await counted(ctx)).all).toBe(2);
  });
}
