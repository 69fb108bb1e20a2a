/**
 * Answers of the prompt-engineering API (GET /admin/prompts, /admin/sessions, /admin/stats with the
 * attribution dimensions) as the workbench pages read them, and the small pure helpers they share.
 */
import type { LogListItem } from '@llm-relay/contracts';

/** The per-group numbers every workbench table shows (a prompt, a version, a compared value). */
export interface GroupMetrics {
  count: number;
  p50: number | null;
  p95: number | null;
  tokens: number;
  costUsd: number;
  errorRate: number | null;
  scoreAvg: number | null;
}

export interface PromptSummary extends GroupMetrics {
  id: string;
  name: string;
  versionCount: number;
  firstAt: number;
  lastAt: number;
}

export interface PromptVersion extends GroupMetrics {
  id: string;
  /** v1, v2, … by first seen (or the explicit version named by x-relay-prompt) */
  label: string;
  /** the normalised template: per-request values replaced by placeholders */
  text: string;
  firstAt: number;
  lastAt: number;
}

export interface PromptFamily {
  id: string;
  name: string;
  versions: PromptVersion[];
}

export interface SessionSummary {
  id: string;
  firstAt: number;
  lastAt: number;
  count: number;
  users: string[];
  tokens: number;
  costUsd: number;
  errors: number;
}

export interface SessionTotals {
  count: number;
  tokens: number;
  costUsd: number;
  errors: number;
  firstAt?: number;
  lastAt?: number;
}

export interface SessionDetail {
  id: string;
  totals: SessionTotals;
  logs: LogListItem[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
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

/** A stats breakdown row as the API sends it, with the score fields the attribution work adds. */
export interface BreakdownRow {
  value: string;
  label?: string;
  count: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  scoreAvg?: number | null;
  scoreCount?: number;
}

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
