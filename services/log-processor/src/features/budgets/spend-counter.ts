import type { ChainableCommander } from 'ioredis';
import { BUDGET_PERIODS, isUnpricedCall, periodEnd, periodStart, spendKey, toMicroUsd, type BudgetPeriod, type BudgetScope, type StoredLog } from '@llm-relay/contracts';

const DAY_MS = 86_400_000;
/**
 * How long a counter outlives its period: a day counter lives about 3 days, a month counter about 40 days
 * (views read the period just ended; the gateway only ever reads the current one).
 */
const KEEP_AFTER_END_MS: Record<BudgetPeriod, number> = { day: 2 * DAY_MS, month: 9 * DAY_MS };

/** One spend counter a batch moved: the pipeline answer at `index` is its new total (micro-USD). */
export interface CountedSpend {
  scope: BudgetScope;
  id: string;
  period: BudgetPeriod;
  /** ms: start of the period the counter belongs to */
  periodStart: number;
  key: string;
  index: number;
}

/** The expiry (ms) of a counter of the period containing `at`. */
export function counterExpiresAt(period: BudgetPeriod, at: number): number {
  return periodEnd(period, at) + KEEP_AFTER_END_MS[period];
}

/**
 * Add the spend of newly stored logs to the pipeline: per key and per project (the project the key had when
 * the call was made), into the day and the month counter of the log's time, so the gateway can check a
 * budget of either period without the processor knowing any budget. A call that used tokens at no known price
 * (`isUnpricedCall`) counts $0 and increments `<counter>:unpriced`. Summed within the batch: one INCRBY per
 * counter, with its expiry. Returns the counters moved, with the index of their INCRBY in the pipeline
 * (the pipeline must be empty when it is passed in).
 */
export function addSpend(p: ChainableCommander, prefix: string, logs: StoredLog[]): CountedSpend[] {
  const sums = new Map<string, { c: Omit<CountedSpend, 'index'>; micro: number; unpriced: number; expiresAt: number }>();
  for (const l of logs) {
    if (!l.key) continue;
    const micro = l.cost.usd ? toMicroUsd(l.cost.usd) : 0;
    const unpriced = isUnpricedCall(l) ? 1 : 0;
    const scopes: [BudgetScope, string][] = [['key', l.key.id]];
    if (l.key.projectId) scopes.push(['project', l.key.projectId]);
    for (const [scope, id] of scopes) {
      for (const period of BUDGET_PERIODS) {
        const key = spendKey(prefix, scope, id, period, l.createdAt);
        let s = sums.get(key);
        if (!s) sums.set(key, (s = { c: { scope, id, period, periodStart: periodStart(period, l.createdAt), key }, micro: 0, unpriced: 0, expiresAt: counterExpiresAt(period, l.createdAt) }));
        s.micro += micro;
        s.unpriced += unpriced;
      }
    }
  }
  const out: CountedSpend[] = [];
  let index = 0;
  for (const s of sums.values()) {
    // INCRBY 0 still answers the total, which the alert check reads
    p.incrby(s.c.key, s.micro);
    out.push({ ...s.c, index });
    p.pexpireat(s.c.key, s.expiresAt);
    index += 2;
    if (s.unpriced > 0) {
      p.incrby(`${s.c.key}:unpriced`, s.unpriced);
      p.pexpireat(`${s.c.key}:unpriced`, s.expiresAt);
      index += 2;
    }
  }
  return out;
}
