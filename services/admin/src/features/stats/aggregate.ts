import type { StatsValues } from '@llm-relay/contracts';
import { ROLLUP_LATENCY_BUCKETS, type Rollup, type ScoreRollup } from '@llm-relay/store';

export type Bucket = 'minute' | 'hour' | 'day';
export const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** the values of one stats point or breakdown row (contracts admin-api.ts) */
export type StatPoint = StatsValues;

interface Acc {
  count: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  buckets: number[];
}

const empty = (): Acc => ({ count: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, buckets: new Array(ROLLUP_LATENCY_BUCKETS.length + 1).fill(0) });

function add(acc: Acc, r: Rollup): void {
  acc.count += r.count;
  acc.errors += r.errors;
  acc.promptTokens += r.promptTokens;
  acc.completionTokens += r.completionTokens;
  acc.costUsd += r.costUsd;
  r.latencyBuckets.forEach((n, i) => {
    if (i < acc.buckets.length) acc.buckets[i]! += n;
  });
}

/**
 * A latency quantile estimated from histogram counts, interpolating linearly inside the bucket that holds
 * it (as Prometheus' histogram_quantile does). The open last bucket answers with its lower bound.
 */
export function quantileFromBuckets(counts: number[], q: number, bounds: readonly number[] = ROLLUP_LATENCY_BUCKETS): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      if (i >= bounds.length) return lower;
      const upper = bounds[i]!;
      return Math.round(lower + ((upper - lower) * (rank - seen)) / n);
    }
    seen += n;
  }
  return bounds[bounds.length - 1] ?? null;
}

function finish(acc: Acc): StatPoint {
  return {
    count: acc.count,
    errors: acc.errors,
    promptTokens: acc.promptTokens,
    completionTokens: acc.completionTokens,
    costUsd: Math.round(acc.costUsd * 1e6) / 1e6,
    p50: quantileFromBuckets(acc.buckets, 0.5),
    p95: quantileFromBuckets(acc.buckets, 0.95),
    p99: quantileFromBuckets(acc.buckets, 0.99),
  };
}

/** Start of the bucket holding `t` (UTC days). */
export function bucketStart(t: number, bucket: Bucket): number {
  return t - (t % BUCKET_MS[bucket]);
}

/** One point per bucket from `from` to `to`, empty buckets included so a chart has no gaps. */
export function series(rows: Rollup[], from: number, to: number, bucket: Bucket): (StatPoint & { t: number })[] {
  const byT = new Map<number, Acc>();
  for (let t = bucketStart(from, bucket); t < to; t += BUCKET_MS[bucket]) byT.set(t, empty());
  for (const r of rows) {
    const acc = byT.get(bucketStart(r.minute, bucket));
    if (acc) add(acc, r);
  }
  return [...byT].map(([t, acc]) => ({ t, ...finish(acc) }));
}

/** Totals per dimension value, busiest first. */
export function breakdown(rows: Rollup[]): (StatPoint & { value: string })[] {
  const byValue = new Map<string, Acc>();
  for (const r of rows) {
    let acc = byValue.get(r.value);
    if (!acc) byValue.set(r.value, (acc = empty()));
    add(acc, r);
  }
  return [...byValue].map(([value, acc]) => ({ value, ...finish(acc) })).sort((a, b) => b.count - a.count);
}

/**
 * Adds `scoreAvg` / `scoreCount` to points or rows from score roll-ups: their sums and counts are grouped by
 * the same key (a bucket start, a dimension value), so the average is over every scored log in the group.
 */
export function withScores<T extends object, K>(items: T[], keyOf: (x: T) => K, scores: ScoreRollup[], scoreKey: (s: ScoreRollup) => K): (T & { scoreAvg: number | null; scoreCount: number })[] {
  const acc = new Map<K, { sum: number; count: number }>();
  for (const s of scores) {
    const k = scoreKey(s);
    const a = acc.get(k) ?? { sum: 0, count: 0 };
    a.sum += s.sum;
    a.count += s.count;
    acc.set(k, a);
  }
  return items.map((x) => {
    const a = acc.get(keyOf(x));
    const count = a?.count ?? 0;
    return { ...x, scoreAvg: count > 0 ? Math.round((a!.sum / count) * 1e6) / 1e6 : null, scoreCount: count };
  });
}
