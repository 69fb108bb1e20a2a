/**
 * Answers of the prompt-engineering API (GET /admin/prompts, /admin/sessions, /admin/stats with the
 * attribution dimensions) as the workbench pages read them, and the small pure helpers they share.
 */

import type { StatsBreakdown } from '@llm-relay/contracts';

/** The answers' types come from the contracts admin declares its routes with (one schema per message). */
export type {
  PromptFamily,
  PromptFamilyItem as PromptSummary,
  SessionDetail,
  SessionSummaryView as SessionSummary,
} from '@llm-relay/contracts';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The per-group numbers the Compare table shows for each value. */
interface GroupMetrics {
  count: number;
  p50: number | null;
  p95: number | null;
  tokens: number;
  costUsd: number;
  errorRate: number | null;
  scoreAvg: number | null;
}

/** Dimensions the Compare view offers; `property` needs a property name as well. */
export const COMPARE_DIMS = ['tag', 'promptVersion', 'model', 'user', 'property'] as const;
export type CompareDim = (typeof COMPARE_DIMS)[number];

/** The `dim=` value of GET /admin/stats for a compare dimension. */
export function statsDim(dim: CompareDim, property: string): string {
  return dim === 'property' ? `property.${property}` : dim;
}

/** The GET /admin/logs filter that selects one value of a dimension (to jump from a number to its logs). */
export function logsFilterFor(dim: CompareDim, value: string, property = ''): Record<string, string> {
  switch (dim) {
    case 'tag':
      return { tag: value };
    case 'promptVersion':
      return { promptVersion: value };
    case 'model':
      return { model: value };
    case 'user':
      return { user: value };
    case 'property':
      return { [`property.${property}`]: value };
  }
}

export interface CompareRow extends GroupMetrics {
  value: string;
  tokensPerCall: number | null;
  costPerCall: number | null;
}

/** A stats breakdown row as GET /admin/stats sends it (with scoreAvg/scoreCount). */
export type BreakdownRow = StatsBreakdown;

export function compareRow(r: BreakdownRow): CompareRow {
  const tokens = r.promptTokens + r.completionTokens;
  return {
    value: r.value,
    count: r.count,
    p50: r.p50,
    p95: r.p95,
    tokens,
    costUsd: r.costUsd,
    errorRate: r.count ? r.errors / r.count : null,
    scoreAvg: r.scoreAvg ?? null,
    tokensPerCall: r.count ? tokens / r.count : null,
    costPerCall: r.count ? r.costUsd / r.count : null,
  };
}

export type MetricKey = 'count' | 'errorRate' | 'p50' | 'p95' | 'tokensPerCall' | 'costPerCall' | 'scoreAvg';
/** Whether more of a metric is better (score, count) or worse (latency, cost, errors). */
export const HIGHER_IS_BETTER: Record<MetricKey, boolean | null> = {
  count: null,
  errorRate: false,
  p50: false,
  p95: false,
  tokensPerCall: false,
  costPerCall: false,
  scoreAvg: true,
};

/**
 * Relative difference of each value against the first (the baseline), and whether it is better or
 * worse: the A/B view highlights a change, not a number. Differences under 5 % are "same".
 */
export function judge(metric: MetricKey, baseline: number | null, value: number | null): 'better' | 'worse' | 'same' | null {
  if (baseline === null || value === null) return null;
  const sense = HIGHER_IS_BETTER[metric];
  if (sense === null) return null;
  const scale = Math.max(Math.abs(baseline), Math.abs(value));
  if (scale === 0 || Math.abs(value - baseline) / scale < 0.05) return 'same';
  return value > baseline === sense ? 'better' : 'worse';
}

export function relDiff(baseline: number | null, value: number | null): number | null {
  if (baseline === null || value === null || baseline === 0) return null;
  return (value - baseline) / Math.abs(baseline);
}
