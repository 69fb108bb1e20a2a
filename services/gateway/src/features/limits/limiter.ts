import type { Redis } from 'ioredis';
import { withTimeout, type Logger } from '@llm-relay/server-kit';
import { periodEnd, spendKey, toMicroUsd, type KeyLimits } from '@llm-relay/contracts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { CompiledBudget } from '../config/compiled.ts';

const WINDOW_MS = 60_000;
/** a concurrency slot of a gateway that died mid-request frees itself after this long */
const CONCURRENCY_TTL_MS = 15 * 60_000;
/** spent budgets remembered for an outage; more distinct ones than this in a period is not a real deployment */
const SPENT_MEMORY_MAX = 10_000;

// Everything runs on Redis's clock (TIME) in one script, so any number of replicas enforce one limit.
// RPM: exact sliding window (a sorted set of admitted request ids scored by time).
// Concurrency: a sorted set of in-flight request ids scored by their expiry.
// TPM: two one-minute buckets weighted into a sliding estimate; tokens are only known after a response,
// so a burst of concurrent requests can overshoot it by what they consume.
// Budgets (KEYS[4..], limits in ARGV[6..], integer micro-USD): checked first, so a request refused for its
// budget takes no RPM entry. The processor counts spend when a log is stored, so the requests in flight
// when a counter reaches its budget are the overshoot.
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm, conc, tpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local member, concTtl, window = ARGV[4], tonumber(ARGV[5]), ${WINDOW_MS}
for i = 4, #KEYS do
  local spent = tonumber(redis.call('GET', KEYS[i]) or '0')
  if spent >= tonumber(ARGV[i + 2]) then return {0, 'budget', 0, i - 3, spent, 0} end
end
local rpmCount, rpmReset = 0, 0
if rpm > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  rpmCount = redis.call('ZCARD', KEYS[1])
  if rpmCount > 0 then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    rpmReset = tonumber(oldest[2]) + window - now
  end
  if rpmCount >= rpm then return {0, 'rpm', rpmReset, 0, -1, rpmReset} end
end
if conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= conc then return {0, 'concurrency', 1000, rpm - rpmCount, -1, rpmReset} end
end
local tpmUsed = 0
if tpm > 0 then
  local minute = math.floor(now / window)
  local cur = tonumber(redis.call('GET', KEYS[3] .. ':' .. minute) or '0')
  local prev = tonumber(redis.call('GET', KEYS[3] .. ':' .. (minute - 1)) or '0')
  local elapsed = now - minute * window
  tpmUsed = math.floor(prev * (window - elapsed) / window) + cur
  if tpmUsed >= tpm then return {0, 'tpm', window - elapsed, rpm - rpmCount, 0, rpmReset} end
end
if rpm > 0 then
  redis.call('ZADD', KEYS[1], now, member)
  redis.call('PEXPIRE', KEYS[1], window)
  if rpmCount == 0 then rpmReset = window end
end
if conc > 0 then
  redis.call('ZADD', KEYS[2], now + concTtl, member)
  redis.call('PEXPIRE', KEYS[2], concTtl)
end
return {1, '', 0, rpm - rpmCount - 1, tpm - tpmUsed, rpmReset}
`;

const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
local tokens = tonumber(ARGV[2])
if tokens > 0 then
  local t = redis.call('TIME')
  local minute = math.floor(tonumber(t[1]) / 60)
  local k = KEYS[2] .. ':' .. minute
  redis.call('INCRBY', k, tokens)
  redis.call('PEXPIRE', k, ${2 * WINDOW_MS + 5000})
end
return 1
`;

export interface Admission {
  allowed: boolean;
  limit?: 'rpm' | 'tpm' | 'concurrency' | 'budget';
  /** the budget that refused the request */
  budget?: SpentBudget;
  retryAfterMs: number;
  headers: Record<string, string>;
  /** true when Redis did not answer and the request was let through unchecked */
  failOpen: boolean;
}

export interface SpentBudget {
  check: CompiledBudget;
  spentMicroUsd: number;
  /** ms: start of the next period */
  resetsAt: number;
}

type ScriptRedis = Redis & {
  relayAdmit(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<[number, string, number, number, number, number]>;
  relayRelease(k1: string, k2: string, ...args: (string | number)[]): Promise<number>;
};

/**
 * Per-key limits in Redis. When Redis does not answer within `timeoutMs` the answer says so (`failOpen`),
 * the skip is counted (gateway_ratelimit_fail_open_total) and logged; OutageLimits (outage-limits.ts),
 * which wraps this limiter, then decides locally, or admits the request under LIMITS_ON_OUTAGE=open.
 */
export class Limiter {
  private readonly redis: ScriptRedis;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly prefix: string;
  private lastWarn = 0;
  /**
   * Budgets this replica saw refused, by spend key (which names the period): while Redis does not answer
   * they stay refused here; every other budget is admitted unchecked (gateway_budget_unchecked_total).
   */
  private readonly spent = new Map<string, SpentBudget>();

  constructor(opts: { redis: Redis; prefix: string; rateLimitKey: string; timeoutMs: number; metrics: Metrics; log: Logger }) {
    this.redis = opts.redis as ScriptRedis;
    // the key count varies (0 to 2 budgets), so it is passed with each call
    this.redis.defineCommand('relayAdmit', { lua: ADMIT });
    this.redis.defineCommand('relayRelease', { numberOfKeys: 2, lua: RELEASE });
    this.base = opts.rateLimitKey;
    this.prefix = opts.prefix;
    this.timeoutMs = opts.timeoutMs;
    this.metrics = opts.metrics;
    this.log = opts.log;
  }

  async admit(keyId: string, limits: KeyLimits, requestId: string, budgets: CompiledBudget[] = []): Promise<Admission> {
    const k = `${this.base}:${keyId}`;
    // the period is named by this replica's clock (spend keys are per UTC day/month): skew between replicas
    // matters only in the seconds around midnight
    const now = Date.now();
    const spendKeys = budgets.map((b) => spendKey(this.prefix, b.scope, b.id, b.budget.period, now));
    let r: [number, string, number, number, number, number];
    try {
      r = await withTimeout(
        this.redis.relayAdmit(3 + budgets.length, `${k}:rpm`, `${k}:conc`, `${k}:tpm`, ...spendKeys, limits.rpm ?? 0, limits.concurrency ?? 0, limits.tpm ?? 0, requestId, CONCURRENCY_TTL_MS, ...budgets.map((b) => toMicroUsd(b.budget.usd))),
        this.timeoutMs,
      );
    } catch (err) {
      this.failOpen(err as Error, keyId);
      const known = spendKeys.map((sk) => this.spent.get(sk)).find((s) => s !== undefined);
      if (known) return this.budgetRefusal(known);
      if (budgets.length > 0) this.metrics.budgetUnchecked.inc();
      return { allowed: true, retryAfterMs: 0, headers: {}, failOpen: true };
    }
    const [ok, limit, retryAfterMs, rpmRemaining, tpmRemaining, rpmReset] = r;
    if (limit === 'budget') {
      const check = budgets[rpmRemaining - 1]!;
      const refused: SpentBudget = { check, spentMicroUsd: tpmRemaining, resetsAt: periodEnd(check.budget.period, now) };
      if (this.spent.size >= SPENT_MEMORY_MAX) this.spent.clear();
      this.spent.set(spendKeys[rpmRemaining - 1]!, refused);
      return this.budgetRefusal(refused);
    }
    // a budget raised (or a new period) admits again; forget what was refused under the same key
    for (const sk of spendKeys) this.spent.delete(sk);
    const headers: Record<string, string> = {};
    if (limits.rpm) {
      headers['x-ratelimit-limit-requests'] = String(limits.rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, rpmRemaining));
      headers['x-ratelimit-reset-requests'] = `${Math.max(0, Math.ceil(rpmReset / 1000))}s`;
    }
    if (limits.tpm) {
      headers['x-ratelimit-limit-tokens'] = String(limits.tpm);
      headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, tpmRemaining));
    }
    if (ok === 1) return { allowed: true, retryAfterMs: 0, headers, failOpen: false };
    const retrySec = Math.max(1, Math.ceil(retryAfterMs / 1000));
    headers['retry-after'] = String(retrySec);
    headers['retry-after-ms'] = String(Math.max(0, retryAfterMs));
    this.metrics.rateLimited.inc({ limit });
    return { allowed: false, limit: limit as Admission['limit'], retryAfterMs, headers, failOpen: false };
  }

  private budgetRefusal(b: SpentBudget): Admission {
    this.metrics.budgetRejections.inc({ scope: b.check.scope });
    // the OpenAI SDK honours x-should-retry: retrying a spent budget before it resets is pointless
    return { allowed: false, limit: 'budget', budget: b, retryAfterMs: b.resetsAt - Date.now(), headers: { 'x-relay-budget-reset': new Date(b.resetsAt).toISOString(), 'x-should-retry': 'false' }, failOpen: false };
  }

  /** Frees the concurrency slot and counts the tokens used; errors are ignored (the slot expires anyway). */
  release(keyId: string, requestId: string, tokens: number): void {
    const k = `${this.base}:${keyId}`;
    this.redis.relayRelease(`${k}:conc`, `${k}:tpm`, requestId, tokens).catch((err: Error) => this.failOpen(err, keyId));
  }

  private failOpen(err: Error, keyId: string): void {
    this.metrics.limitFailOpen.inc();
    const t = Date.now();
    if (t - this.lastWarn > 10_000) {
      this.lastWarn = t;
      this.log.warn({ err: err.message, keyId }, 'rate-limit store unreachable; deciding without it (LIMITS_ON_OUTAGE)');
    }
  }
}
