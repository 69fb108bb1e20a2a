import type { Redis } from 'ioredis';
import type { Logger } from '@llm-relay/server-kit';
import type { KeyLimits } from '@llm-relay/contracts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { Admission, Limiter } from './limiter.ts';

const WINDOW_MS = 60_000;

interface KeyState {
  /** times of the requests admitted locally in the last minute (RPM), with their ids */
  admitted: { at: number; id: string }[];
  /** ids of the requests in flight that were admitted locally (concurrency) */
  inflight: Set<string>;
  /** tokens used per minute (TPM): [minute, tokens] of the current minute */
  tokens: [number, number];
}

/**
 * Wraps the Redis limiter for the time Redis does not answer. Its Lua script keeps one limit across all
 * replicas; without it each replica enforces its share locally — `limit / replicas`, with the replica
 * count last seen in Redis (live gateway heartbeats), never less than 1 — so an outage neither lifts the
 * limits nor lets N replicas admit N times the limit (`gateway_ratelimit_local_mode` is 1 meanwhile).
 * When Redis answers again, the requests admitted locally in the last minute are written into its RPM
 * windows (an empty restart would otherwise hand every key a fresh minute). `LIMITS_ON_OUTAGE=open`
 * restores the old behaviour: admit everything while Redis is away.
 */
export class OutageLimits {
  private readonly keys = new Map<string, KeyState>();
  /** locally admitted requests not yet written into Redis's windows, by key id */
  private handOver = new Map<string, { at: number; id: string }[]>();
  private local = false;
  private replicas = 1;
  private replicaTimer: NodeJS.Timeout | null = null;
  private readonly limiter: Limiter;
  private readonly redis: Redis;
  private readonly rateLimitKey: string;
  private readonly gatewaysKey: string;
  private readonly heartbeatMs: number;
  private readonly onOutage: 'local' | 'open';
  private readonly metrics: Metrics;
  private readonly log: Logger;

  constructor(opts: { limiter: Limiter; redis: Redis; rateLimitKey: string; gatewaysKey: string; heartbeatMs: number; onOutage: 'local' | 'open'; metrics: Metrics; log: Logger }) {
    this.limiter = opts.limiter;
    this.redis = opts.redis;
    this.rateLimitKey = opts.rateLimitKey;
    this.gatewaysKey = opts.gatewaysKey;
    this.heartbeatMs = opts.heartbeatMs;
    this.onOutage = opts.onOutage;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.metrics.limitLocalMode.set(0);
  }

  /** Keep the live replica count up to date (read while Redis answers; the last value is kept when it does not). */
  start(): void {
    // Redis back (perhaps empty): hand the local admissions over before any request is checked there
    this.redis.on('ready', () => {
      if (this.local) this.leaveLocalMode();
    });
    void this.countReplicas();
    this.replicaTimer = setInterval(() => void this.countReplicas(), this.heartbeatMs);
    this.replicaTimer.unref();
  }

  stop(): void {
    if (this.replicaTimer) clearInterval(this.replicaTimer);
  }

  async admit(...args: Parameters<Limiter['admit']>): Promise<Admission> {
    const a = await this.limiter.admit(...args);
    if (!a.failOpen) {
      if (this.local) this.leaveLocalMode();
      return a;
    }
    // a budget this replica saw spent stays refused; LIMITS_ON_OUTAGE=open admits everything else
    if (!a.allowed || this.onOutage === 'open') return a;
    if (!this.local) this.enterLocalMode();
    const [keyId, limits, requestId] = args;
    return this.admitLocally(keyId, limits, requestId);
  }

  release(...args: Parameters<Limiter['release']>): void {
    const [keyId, requestId, tokens] = args;
    const st = this.keys.get(keyId);
    if (st?.inflight.delete(requestId)) {
      const minute = Math.floor(Date.now() / WINDOW_MS);
      if (st.tokens[0] !== minute) st.tokens = [minute, 0];
      st.tokens[1] += tokens;
      return;
    }
    this.limiter.release(...args);
  }

  private admitLocally(keyId: string, limits: KeyLimits, requestId: string): Admission {
    const now = Date.now();
    const share = (limit: number) => Math.max(1, Math.floor(limit / this.replicas));
    let st = this.keys.get(keyId);
    if (!st) this.keys.set(keyId, (st = { admitted: [], inflight: new Set(), tokens: [0, 0] }));
    while (st.admitted.length > 0 && st.admitted[0]!.at <= now - WINDOW_MS) st.admitted.shift();
    const headers: Record<string, string> = {};
    const refuse = (limit: 'rpm' | 'tpm' | 'concurrency', retryAfterMs: number): Admission => {
      this.metrics.limitLocal.inc({ result: 'refused' });
      this.metrics.rateLimited.inc({ limit });
      headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
      headers['retry-after-ms'] = String(Math.max(0, retryAfterMs));
      return { allowed: false, limit, retryAfterMs, headers, failOpen: false };
    };
    if (limits.rpm) {
      const rpm = share(limits.rpm);
      headers['x-ratelimit-limit-requests'] = String(rpm);
      headers['x-ratelimit-remaining-requests'] = String(Math.max(0, rpm - st.admitted.length - 1));
      if (st.admitted.length >= rpm) return refuse('rpm', st.admitted[0]!.at + WINDOW_MS - now);
    }
    if (limits.concurrency && st.inflight.size >= share(limits.concurrency)) return refuse('concurrency', 1000);
    if (limits.tpm) {
      const minute = Math.floor(now / WINDOW_MS);
      const used = st.tokens[0] === minute ? st.tokens[1] : 0;
      if (used >= share(limits.tpm)) return refuse('tpm', (minute + 1) * WINDOW_MS - now);
    }
    const entry = { at: now, id: requestId };
    if (limits.rpm) {
      st.admitted.push(entry);
      const list = this.handOver.get(keyId);
      if (list) list.push(entry);
      else this.handOver.set(keyId, [entry]);
    }
    if (limits.concurrency || limits.tpm) st.inflight.add(requestId);
    this.metrics.limitLocal.inc({ result: 'allowed' });
    return { allowed: true, retryAfterMs: 0, headers, failOpen: false };
  }

  private enterLocalMode(): void {
    this.local = true;
    this.metrics.limitLocalMode.set(1);
    this.log.warn({ replicas: this.replicas }, `rate-limit store unreachable: enforcing each key's limits locally at limit / ${this.replicas} replica(s) until it answers`);
  }

  private leaveLocalMode(): void {
    this.local = false;
    this.metrics.limitLocalMode.set(0);
    const handOver = this.handOver;
    this.handOver = new Map();
    // what was admitted meanwhile counts in the shared window too (kept there only for its minute)
    const p = this.redis.pipeline();
    const cutoff = Date.now() - WINDOW_MS;
    let n = 0;
    for (const [keyId, entries] of handOver) {
      const fresh = entries.filter((e) => e.at > cutoff);
      if (fresh.length === 0) continue;
      const key = `${this.rateLimitKey}:${keyId}:rpm`;
      p.zadd(key, ...fresh.flatMap((e) => [e.at, e.id]));
      p.pexpire(key, WINDOW_MS);
      n += fresh.length;
    }
    if (n > 0) p.exec().catch((err: Error) => this.log.warn({ err: err.message }, 'could not hand the locally admitted requests to Redis'));
    this.log.info({ handedOver: n }, 'rate-limit store answers again: limits shared through Redis');
  }

  private async countReplicas(): Promise<void> {
    if (this.redis.status !== 'ready') return;
    try {
      const all = await this.redis.hgetall(this.gatewaysKey);
      const fresh = Date.now() - 3 * this.heartbeatMs;
      let n = 0;
      for (const v of Object.values(all)) {
        try {
          if (Number((JSON.parse(v) as { lastSeen?: unknown }).lastSeen) >= fresh) n++;
        } catch {
          // not a heartbeat we can read: not counted
        }
      }
      this.replicas = Math.max(1, n);
      this.metrics.limitReplicas.set(this.replicas);
    } catch {
      // keep the last count
    }
  }
}
