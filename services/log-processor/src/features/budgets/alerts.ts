import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  BUDGET_ALERT_JOB_NAME,
  BUDGET_ALERT_JOB_OPTIONS,
  BudgetAlertJobSchema,
  DEFAULT_ALERT_THRESHOLDS,
  budgetAlertedKey,
  fromMicroUsd,
  periodTag,
  toMicroUsd,
  type BudgetAlert,
  type BudgetPeriod,
} from '@llm-relay/contracts';
import type { Metrics } from '../ops/metrics.ts';
import type { ProjectCache, ProjectRecord } from './projects.ts';
import { counterExpiresAt, type CountedSpend } from './spend-counter.ts';

/** thresholds this replica already saw taken (by itself or another): no SET NX for them again */
const SEEN_MAX = 10_000;

const usd = (n: number): string => `$${n.toFixed(2)}`;
const PERIOD_WORD: Record<BudgetPeriod, string> = { day: 'daily', month: 'monthly' };

/** The webhook body: the contract's fields and one sentence a Slack incoming webhook shows as is. */
export function budgetAlert(p: ProjectRecord & { budget: NonNullable<ProjectRecord['budget']> }, threshold: number, spentMicro: number, periodStartMs: number): BudgetAlert {
  const spendUsd = fromMicroUsd(spentMicro);
  const periodStart = new Date(periodStartMs).toISOString();
  return {
    type: 'budget.threshold',
    project: { id: p.id, name: p.name },
    threshold,
    spendUsd,
    budgetUsd: p.budget.usd,
    period: p.budget.period,
    periodStart,
    text: `Project "${p.name}" has reached ${Math.round(threshold * 100)}% of its ${PERIOD_WORD[p.budget.period]} budget: ${usd(spendUsd)} of ${usd(p.budget.usd)} spent since ${periodStart}.`,
  };
}

/**
 * After each batch is counted: for every project counter it moved (the period of the project's budget), each
 * threshold of the budget the new total has reached is claimed with `SET <prefix>:alerted:<project>:<period>:<t>
 * NX` (expiring with the counter), and the claimant queues the webhook job. So a threshold is told once per
 * period across all processors. A project without a webhook (or without a budget) is not checked. If the job
 * cannot be queued the claim is given back, and the next batch of that project tries again.
 */
export class BudgetAlerts {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly projects: ProjectCache;
  private readonly queue: Queue;
  private readonly backoffMs: number;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly seen = new Set<string>();

  constructor(opts: { redis: Redis; prefix: string; projects: ProjectCache; queue: Queue; backoffMs: number; metrics: Metrics; log: Logger }) {
    this.redis = opts.redis;
    this.prefix = opts.prefix;
    this.projects = opts.projects;
    this.queue = opts.queue;
    this.backoffMs = opts.backoffMs;
    this.metrics = opts.metrics;
    this.log = opts.log;
  }

  /** `results`: the batch pipeline's answers, where each counter's INCRBY answered its new total. */
  async counted(counted: CountedSpend[], results: [Error | null, unknown][]): Promise<void> {
    const moved = counted.filter((c) => c.scope === 'project');
    if (moved.length === 0) return;
    const projects = await this.projects.get();
    for (const c of moved) {
      const p = projects.get(c.id);
      if (!p?.budget || !p.alertWebhookUrl || p.budget.period !== c.period) continue;
      const total = Number(results[c.index]?.[1] ?? 0);
      const budgetMicro = toMicroUsd(p.budget.usd);
      const thresholds = p.alertThresholds.length > 0 ? p.alertThresholds : DEFAULT_ALERT_THRESHOLDS;
      for (const t of thresholds) {
        if (total < Math.round(budgetMicro * t)) continue;
        const key = budgetAlertedKey(this.prefix, p.id, periodTag(c.period, c.periodStart), t);
        if (this.seen.has(key)) continue;
        if (this.seen.size >= SEEN_MAX) this.seen.clear();
        this.seen.add(key);
        await this.claimAndQueue(key, { ...p, budget: p.budget }, p.alertWebhookUrl, t, total, c);
      }
    }
  }

  private async claimAndQueue(key: string, p: ProjectRecord & { budget: NonNullable<ProjectRecord['budget']> }, webhookUrl: string, t: number, total: number, c: CountedSpend): Promise<void> {
    let claimed = false;
    try {
      claimed = (await this.redis.set(key, '1', 'PXAT', counterExpiresAt(c.period, c.periodStart), 'NX')) === 'OK';
      if (!claimed) return;
      const job = BudgetAlertJobSchema.parse({ projectId: p.id, webhookUrl, alert: budgetAlert(p, t, total, c.periodStart) });
      // the id keeps a second queueing of the same threshold out while the first job exists (':' is not allowed)
      await this.queue.add(BUDGET_ALERT_JOB_NAME, job, { ...BUDGET_ALERT_JOB_OPTIONS, backoff: { type: 'exponential', delay: this.backoffMs }, jobId: `alert-${p.id}-${periodTag(c.period, c.periodStart)}-${t}` });
      this.metrics.budgetAlerts.inc({ result: 'queued' });
    } catch (err) {
      // not told: the project's next batch tries again
      this.seen.delete(key);
      if (claimed) await this.redis.del(key).catch(() => undefined);
      this.log.warn({ err, projectId: p.id, threshold: t }, 'could not queue the budget alert; the next batch of this project tries again');
    }
  }
}
