import type { Redis } from 'ioredis';
import { withTimeout, type Logger } from '@llm-relay/server-kit';
import type { KeyLimits } from '@llm-relay/contracts';
import type { Metrics } from '../../plugins/metrics.ts';

const WINDOW_MS = 60_000;
/** a concurrency slot of a gateway that died mid-request frees itself after this long */
const CONCURRENCY_TTL_MS = 15 * 60_000;

// Everything runs on Redis's clock (TIME) in one script, so any number of replicas enforce one limit.
// RPM: exact sliding window (a sorted set of admitted request ids scored by time).
// Concurrency: a sorted set of in-flight request ids scored by their expiry.
// TPM: two one-minute buckets weighted into a sliding estimate; tokens are only known after a response,
// so a burst of concurrent requests can overshoot it by what they consume.
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rpm, conc, tpm = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local member, concTtl, window = ARGV[4], tonumber(ARGV[5]), ${WINDOW_MS}
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
  limit?: 'rpm' | 'tpm' | 'concurrency';
  retryAfterMs: number;
  headers: Record<string, string>;
  /** true when Redis did not answer and the request was let through unchecked */
  failOpen: boolean;
}

type ScriptRedis = Redis & {
  relayAdmit(k1: string, k2: string, k3: string, ...args: (string | number)[]): Promise<[number, string, number, number, number, number]>;
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
  private lastWarn = 0;

  constructor(opts: { redis: Redis; rateLimitKey: string; timeoutMs: number; metrics: Metrics; log: Logger }) {
    this.redis = opts.redis as ScriptRedis;
    this.redis.defineCommand('relayAdmit', { numberOfKeys: 3, lua: ADMIT });
    this.redis.defineCommand('relayRelease', { numberOfKeys: 2, lua: RELEASE });
    this.base = opts.rateLimitKey;
    this.timeoutMs = opts.timeoutMs;
    this.metrics = opts.metrics;
    this.log = opts.log;
  }

  async admit(keyId: string, limits: KeyLimits, requestId: string): Promise<Admission> {
    const k = `${this.base}:${keyId}`;
    let r: [number, string, number, number, number, number];
    try {
      r = await withTimeout(this.redis.relayAdmit(`${k}:rpm`, `${k}:conc`, `${k}:tpm`, limits.rpm ?? 0, limits.concurrency ?? 0, limits.tpm ?? 0, requestId, CONCURRENCY_TTL_MS), this.timeoutMs);
    } catch (err) {
      this.failOpen(err as Error, keyId);
      return { allowed: true, retryAfterMs: 0, headers: {}, failOpen: true };
    }
    const [ok, limit, retryAfterMs, rpmRemaining, tpmRemaining, rpmReset] = r;
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
