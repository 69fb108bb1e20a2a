import type { Redis } from 'ioredis';
import { fromMicroUsd, periodStart, spendKey, type BudgetPeriod, type BudgetScope, type SpendView } from '@llm-relay/contracts';
import type { SpendByScope, Store } from '@llm-relay/store';
import type { FastifyBaseLogger } from 'fastify';

/** One scope whose spend a view shows, in the period of its budget (a calendar month when it has none). */
export interface SpendScope {
  scope: BudgetScope;
  id: string;
  period: BudgetPeriod;
}

/**
 * The spend of each scope in its current period. The live numbers are the Redis counters the processor
 * increments (integer micro-USD, and `<counter>:unpriced`), read in one MGET. A scope with neither counter has
 * had no stored call this period, or Redis lost its data (before the processor rebuilt it): its spend is then
 * recounted from the store (`spendSince`, once per distinct period start), which answers right in both cases.
 * With Redis unreachable every scope is recounted from the store.
 */
export async function spendOf(deps: { store: Store; redis: Redis; prefix: string; log: FastifyBaseLogger }, scopes: SpendScope[], now = Date.now()): Promise<SpendView[]> {
  if (scopes.length === 0) return [];
  const keys = scopes.map((s) => spendKey(deps.prefix, s.scope, s.id, s.period, now));
  let raw: (string | null)[];
  try {
    raw = await deps.redis.mget(...keys.flatMap((k) => [k, `${k}:unpriced`]));
  } catch (err) {
    deps.log.warn({ err: (err as Error).message }, 'spend counters unreadable in Redis; counting from the store');
    raw = keys.flatMap(() => [null, null]);
  }
  const recounts = new Map<number, Promise<SpendByScope>>();
  const recount = (since: number) => {
    let r = recounts.get(since);
    if (!r) recounts.set(since, (r = deps.store.spendSince(since)));
    return r;
  };
  return Promise.all(
    scopes.map(async (s, i) => {
      const start = periodStart(s.period, now);
      const micro = raw[2 * i] ?? null;
      const unpriced = raw[2 * i + 1] ?? null;
      if (micro !== null || unpriced !== null) {
        return { usd: fromMicroUsd(Number(micro ?? 0)), periodStart: start, unpricedCalls: Number(unpriced ?? 0) };
      }
      const totals = (await recount(start))[s.scope === 'key' ? 'keys' : 'projects'][s.id];
      return { usd: totals?.usd ?? 0, periodStart: start, unpricedCalls: totals?.unpricedCalls ?? 0 };
    }),
  );
}
