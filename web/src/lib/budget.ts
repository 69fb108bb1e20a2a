import { periodEnd, type Budget } from '@llm-relay/contracts';

/** Projects and their keys as GET /admin/projects lists them (contracts budget.ts). */
export type { Budget, BudgetPeriod, ProjectView } from '@llm-relay/contracts';

/** How full a budget is: `ok` below 80 %, `warn` from 80 %, `over` from 100 %; `none` without a budget. */
export type SpendLevel = 'none' | 'ok' | 'warn' | 'over';

export function spendRatio(spendUsd: number, budget: Budget | null | undefined): number | null {
  return budget ? spendUsd / budget.usd : null;
}

export function spendLevel(ratio: number | null): SpendLevel {
  if (ratio === null) return 'none';
  return ratio >= 1 ? 'over' : ratio >= 0.8 ? 'warn' : 'ok';
}

/** When a budget's current period ends (UTC midnight), as `YYYY-MM-DD HH:mm UTC`: the reset is UTC, so is the text. */
export function resetText(budget: Budget, periodStartMs: number): string {
  return `${new Date(periodEnd(budget.period, periodStartMs)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `0.5, 0.8, 1` (fractions, as the API keeps them) → `50, 80, 100` (percent, as the form shows them). */
export function thresholdsToText(fractions: readonly number[]): string {
  return fractions.map((f) => String(Math.round(f * 1000) / 10)).join(', ');
}

/** `50, 80, 100` → [0.5, 0.8, 1]; null when a part is not a positive number. */
export function thresholdsFromText(text: string): number[] | null {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.replace(/%$/, ''))
    .filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const n = Number(p);
    if (!Number.isFinite(n) || n <= 0) return null;
    out.push(Math.round(n * 10) / 1000);
  }
  return out;
}

/** A budget typed into a form: an empty amount means none; anything else goes to the API to validate. */
export function budgetFromInput(usd: string | number | null, period: Budget['period']): Budget | null {
  if (usd === null || usd === '') return null;
  return { usd: Number(usd), period };
}
