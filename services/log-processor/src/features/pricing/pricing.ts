import { readFileSync } from 'node:fs';
import type { Cost, Price, Usage } from '@llm-relay/contracts';

interface PriceTable {
  models: Record<string, (Price & { effectiveFrom: string })[]>;
}

// Read at start-up rather than imported, so the table can be edited without touching code.
const TABLE: PriceTable = JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8'));

export interface PricedModel {
  model: string;
  price: Price;
  source: 'table' | 'override';
}

/** `openai/gpt-4o-2024-08-06` → candidates matched by the longest key the bare name starts with. */
function longestPrefixKey(keys: Iterable<string>, model: string): string | null {
  const bare = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  let best: string | null = null;
  for (const k of keys) {
    const key = k.toLowerCase();
    if ((bare === key || bare.startsWith(`${key}-`) || bare.startsWith(`${key}@`) || bare.startsWith(`${key}:`)) && (!best || key.length > best.length)) best = k;
  }
  return best;
}

/**
 * The price that applied to a call made at `at`: an override from settings wins (exact name first, then
 * prefix), else the table entry in effect on that date.
 */
export function priceFor(models: (string | null | undefined)[], at: number, overrides: Record<string, Price>): PricedModel | null {
  const names = [...new Set(models.filter((m): m is string => !!m))];
  for (const name of names) {
    const key = name in overrides ? name : longestPrefixKey(Object.keys(overrides), name);
    if (key) return { model: key, price: overrides[key]!, source: 'override' };
  }
  for (const name of names) {
    const key = longestPrefixKey(Object.keys(TABLE.models), name);
    if (!key) continue;
    const entries = TABLE.models[key]!.filter((p) => Date.parse(p.effectiveFrom) <= at).sort((a, b) => Date.parse(b.effectiveFrom) - Date.parse(a.effectiveFrom));
    // A call dated before the first listed price (clock skew, an old import) still gets the earliest one.
    const price = entries[0] ?? TABLE.models[key]![0];
    if (price) return { model: key, price, source: 'table' };
  }
  return null;
}

/** USD for this usage at this price; null when the tokens or the price are unknown. */
export function computeCost(usage: Usage, priced: PricedModel | null): Cost {
  if (!priced) return { usd: null, price: null };
  const p = priced.price;
  const price = { model: priced.model, input: p.input, ...(p.cachedInput !== undefined ? { cachedInput: p.cachedInput } : {}), output: p.output, source: priced.source };
  if (usage.prompt === null && usage.completion === null) return { usd: null, price };
  const cached = Math.min(usage.cached ?? 0, usage.prompt ?? 0);
  const uncached = (usage.prompt ?? 0) - cached;
  const usd = (uncached * p.input + cached * (p.cachedInput ?? p.input) + (usage.completion ?? 0) * p.output) / 1_000_000;
  return { usd: Math.round(usd * 1e10) / 1e10, price };
}
