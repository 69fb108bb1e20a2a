import type { StatsPoint } from './types.ts';

export const RANGES = {
  '1h': { ms: 3_600_000, bucket: 'minute' },
  '24h': { ms: 86_400_000, bucket: 'hour' },
  '7d': { ms: 7 * 86_400_000, bucket: 'hour' },
  '30d': { ms: 30 * 86_400_000, bucket: 'day' },
} as const;
export type RangeKey = keyof typeof RANGES;

/** Sums over a range; percentiles are request-weighted means of the buckets' ones (an approximation). */
export type Totals = Omit<StatsPoint, 't'> & { successRate: number | null };

export function totals(points: Omit<StatsPoint, 't'>[]): Totals {
  const sum = (f: (p: Omit<StatsPoint, 't'>) => number) => points.reduce((s, p) => s + f(p), 0);
  const count = sum((p) => p.count);
  const errors = sum((p) => p.errors);
  const weighted = (k: 'p50' | 'p95' | 'p99') => {
    let w = 0;
    let v = 0;
    for (const p of points) {
      const x = p[k];
      if (x === null || !p.count) continue;
      w += p.count;
      v += x * p.count;
    }
    return w ? v / w : null;
  };
  return {
    count,
    errors,
    successRate: count ? (count - errors) / count : null,
    promptTokens: sum((p) => p.promptTokens),
    completionTokens: sum((p) => p.completionTokens),
    costUsd: sum((p) => p.costUsd),
    p50: weighted('p50'),
    p95: weighted('p95'),
    p99: weighted('p99'),
  };
}

/** Bucket start times from `from` to `to` so empty buckets show as zero rather than a missing point. */
export function fillSeries(series: StatsPoint[], from: number, to: number, bucket: 'minute' | 'hour' | 'day'): StatsPoint[] {
  const step = bucket === 'minute' ? 60_000 : bucket === 'hour' ? 3_600_000 : 86_400_000;
  if (to - from > step * 2000) return series;
  const byT = new Map(series.map((p) => [p.t, p]));
  const out: StatsPoint[] = [];
  // align with the server's buckets (UTC multiples of the step)
  for (let t = Math.floor(from / step) * step; t <= to; t += step) {
    out.push(byT.get(t) ?? { t, count: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, p50: null, p95: null, p99: null });
  }
  for (const p of series) if (!out.some((o) => o.t === p.t)) out.push(p);
  return out.sort((a, b) => a.t - b.t);
}
