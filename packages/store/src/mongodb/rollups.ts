import type { Rollup, Store } from '../port.ts';
import { BUCKET_COUNT } from '../shared.ts';
import type { Models, RollupDoc } from './models.ts';
import { incrementAll } from './bulk.ts';

const B = Array.from({ length: BUCKET_COUNT }, (_, i) => `b${i}`);

/** the deterministic _id of a roll-up row, so increments can be upserts */
export function rollupId(r: Rollup): string {
  return `${r.dim}\u0000${r.value}\u0000${r.minute}`;
}

/** `$inc` of a row's counters, creating the row with its dimension on first use */
export function rollupUpdate(r: Rollup): { $inc: Record<string, number>; $setOnInsert: Record<string, unknown> } {
  const inc: Record<string, number> = {
    count: r.count,
    errors: r.errors,
    promptTokens: r.promptTokens,
    completionTokens: r.completionTokens,
    costUsd: r.costUsd,
    latencySumMs: r.latencySumMs,
  };
  B.forEach((b, i) => (inc[b] = r.latencyBuckets[i] ?? 0));
  return { $inc: inc, $setOnInsert: { dim: r.dim, value: r.value, minute: r.minute } };
}

export function docToRollup(d: RollupDoc): Rollup {
  return {
    minute: d.minute,
    dim: d.dim as Rollup['dim'],
    value: d.value,
    count: d.count as number,
    errors: d.errors as number,
    promptTokens: d.promptTokens as number,
    completionTokens: d.completionTokens as number,
    costUsd: d.costUsd as number,
    latencySumMs: d.latencySumMs as number,
    latencyBuckets: B.map((b) => (d[b] as number | undefined) ?? 0),
  };
}

export function mongoRollups(m: Models): Pick<Store, 'addRollups' | 'queryRollups'> {
  return {
    async addRollups(rows) {
      if (rows.length === 0) return;
      await incrementAll(m.rollups.collection as never, rows.map((r) => ({ updateOne: { filter: { _id: rollupId(r) }, update: rollupUpdate(r), upsert: true as const } })));
    },
    async queryRollups({ from, to, dim, value }) {
      const q: Record<string, unknown> = { dim, minute: { $gte: from, $lt: to } };
      if (value !== undefined) q.value = value;
      const docs = (await m.rollups.collection.find(q).sort({ minute: 1, value: 1 }).toArray()) as unknown as RollupDoc[];
      return docs.map(docToRollup);
    },
  };
}
