import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BUDGET_PERIODS, periodStart, periodTag, redisKeys, spendKey, toMicroUsd, type BudgetScope } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';
import type { Metrics } from '../ops/metrics.ts';
import { counterExpiresAt } from './spend-counter.ts';

/** how often each processor looks for the marker (an EXISTS): how soon after Redis lost its data the counters are back */
const CHECK_MS = 2_000;
/** the rebuilding processor's claim; a processor that dies mid-rebuild leaves it to another after this */
const CLAIM_MS = 60_000;

// counter := store total + (increments since the first read). KEYS[1] counter; ARGV: store total, value at the
// first read, expiry (ms).
const APPLY = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
redis.call('SET', KEYS[1], tonumber(ARGV[1]) + cur - tonumber(ARGV[2]))
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

type RebuildRedis = Redis & { spendApply(key: string, total: number, before: number, expiresAt: number): Promise<number> };

/**
 * Rebuilds the spend counters of the current day and month from the store when Redis lost them: at start, every
 * CHECK_MS and whenever the connection is ready again, each processor checks the marker key
 * (`<prefix>:spend-rebuilt`); when it is missing (Redis restarted empty, failed over to an empty replica, or
 * the counters never existed) the one processor whose `SET NX` claims it rebuilds, then marks it done.
 *
 * Other processors keep counting meanwhile, so the rebuild does not overwrite: it reads every current counter
 * first (c0), then the store's totals (S), then sets each counter to S + (its value now − c0), keeping what was
 * counted after its first read. Race window: a log stored before the store read whose increment reaches Redis
 * after the first read is counted twice (S and the increment) — the batches between their store write and
 * their pipeline at that moment, milliseconds of traffic; nothing is counted less. Until the rebuild ends
 * (one store read per period) the gateways see the counters low and may admit calls over a spent budget.
 */
export class SpendRebuild {
  private readonly redis: RebuildRedis;
  private readonly store: Pick<Store, 'spendSince'>;
  private readonly prefix: string;
  private readonly id: string;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly onReady = () => void this.check();

  constructor(opts: { redis: Redis; store: Pick<Store, 'spendSince'>; prefix: string; processorId: string; metrics: Metrics; log: Logger }) {
    this.redis = opts.redis as RebuildRedis;
    this.redis.defineCommand('spendApply', { numberOfKeys: 1, lua: APPLY });
    this.store = opts.store;
    this.prefix = opts.prefix;
    this.id = opts.processorId;
    this.metrics = opts.metrics;
    this.log = opts.log;
  }

  /** Checks now (awaited, so a processor starts with counters) and then on the timer and on reconnect. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), CHECK_MS);
    this.timer.unref();
    this.redis.on('ready', this.onReady);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.redis.off('ready', this.onReady);
    await this.running;
  }

  /** Rebuild if the marker is missing and this processor claims it; resolves when done (or not needed). */
  check(): Promise<void> {
    this.running ??= this.claimAndRebuild().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async claimAndRebuild(): Promise<void> {
    const marker = redisKeys(this.prefix).spendRebuilt;
    const claim = `rebuilding:${this.id}:${Date.now()}`;
    try {
      if ((await this.redis.exists(marker)) === 1) return;
      if ((await this.redis.set(marker, claim, 'PX', CLAIM_MS, 'NX')) !== 'OK') return;
    } catch {
      // Redis unreachable: the next check tries again
      return;
    }
    const t0 = Date.now();
    try {
      const counters = await this.rebuild();
      await this.redis.set(marker, JSON.stringify({ by: this.id, at: Date.now(), counters }));
      this.metrics.spendRebuilds.inc({ result: 'done' });
      this.log.warn({ counters, ms: Date.now() - t0 }, 'spend counters were missing in Redis: rebuilt the current day and month from the store');
    } catch (err) {
      this.metrics.spendRebuilds.inc({ result: 'failed' });
      this.log.error({ err }, 'spend counter rebuild failed; retrying at the next check');
      await this.redis.eval(RELEASE, 1, marker, claim).catch(() => undefined);
    }
  }

  /** Returns how many counters were written. */
  private async rebuild(): Promise<number> {
    const now = Date.now();
    // c0: every counter of the current periods as it is before the store is read
    const tags = BUDGET_PERIODS.map((p) => periodTag(p, now));
    const current = new Map<string, number>();
    const stream = this.redis.scanStream({ match: `${this.prefix}:spend:*`, count: 1000 });
    for await (const batch of stream as AsyncIterable<string[]>) {
      const mine = batch.filter((k) => tags.some((t) => k.endsWith(`:${t}`) || k.endsWith(`:${t}:unpriced`)));
      if (mine.length === 0) continue;
      const values = await this.redis.mget(...mine);
      mine.forEach((k, i) => current.set(k, Number(values[i] ?? 0)));
    }
    // S: the store's totals per counter (absent: nothing stored in the period)
    const totals = new Map<string, { total: number; expiresAt: number }>();
    for (const period of BUDGET_PERIODS) {
      const spend = await this.store.spendSince(periodStart(period, now));
      const expiresAt = counterExpiresAt(period, now);
      for (const [scope, byId] of [['key', spend.keys], ['project', spend.projects]] as [BudgetScope, typeof spend.keys][]) {
        for (const [id, s] of Object.entries(byId)) {
          const key = spendKey(this.prefix, scope, id, period, now);
          totals.set(key, { total: toMicroUsd(s.usd), expiresAt });
          if (s.unpricedCalls > 0) totals.set(`${key}:unpriced`, { total: s.unpricedCalls, expiresAt });
        }
      }
    }
    for (const k of current.keys()) {
      if (!totals.has(k)) totals.set(k, { total: 0, expiresAt: counterExpiresAt(k.includes(`:${tags[0]}`) ? 'day' : 'month', now) });
    }
    const p = this.redis.pipeline() as unknown as { spendApply: RebuildRedis['spendApply']; exec: () => Promise<[Error | null, unknown][] | null> };
    for (const [key, { total, expiresAt }] of totals) void p.spendApply(key, total, current.get(key) ?? 0, expiresAt);
    const results = (await p.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    return totals.size;
  }
}
