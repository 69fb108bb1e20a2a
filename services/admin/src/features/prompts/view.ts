import type { PromptStats } from '@llm-relay/contracts';
import { ALL_TIME_MINUTE, PROMPT_TOTAL_DIMS, type PromptTotals, type Store } from '@llm-relay/store';
import { quantileFromBuckets } from '../stats/aggregate.ts';

/**
 * The answer's figures of a family or version from its lifetime roll-up (null totals: nothing stored yet).
 * Percentiles come from the latency histogram as in /admin/stats; scores from `score` (sum and count).
 */
export function promptStats(totals: PromptTotals | null, seen: { firstAt: number | null; lastAt: number | null }, score: { sum: number; count: number } | null): PromptStats {
  const count = totals?.count ?? 0;
  return {
    count,
    firstAt: seen.firstAt,
    lastAt: seen.lastAt,
    p50: totals ? quantileFromBuckets(totals.latencyBuckets, 0.5) : null,
    p95: totals ? quantileFromBuckets(totals.latencyBuckets, 0.95) : null,
    tokens: totals ? totals.promptTokens + totals.completionTokens : 0,
    costUsd: totals ? Math.round(totals.costUsd * 1e6) / 1e6 : 0,
    errorRate: count > 0 ? totals!.errors / count : null,
    scoreAvg: score && score.count > 0 ? score.sum / score.count : null,
  };
}

/** The default score's lifetime sum and count per family or version id (lifetime score roll-ups, one row each). */
export async function lifetimeScores(store: Store, of: keyof typeof PROMPT_TOTAL_DIMS): Promise<Map<string, { sum: number; count: number }>> {
  const rows = await store.queryScoreRollups({ from: ALL_TIME_MINUTE, to: ALL_TIME_MINUTE + 1, dim: PROMPT_TOTAL_DIMS[of], name: 'score' });
  return new Map(rows.map((r) => [r.value, { sum: r.sum, count: r.count }]));
}
