import { Gauge } from 'prom-client';
import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BUDGET_ALERTS_QUEUE, fromMicroUsd, spendKey, toMicroUsd } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';
import type { Metrics } from '../ops/metrics.ts';
import { startAlertWorker } from './alert-worker.ts';
import { BudgetAlerts } from './alerts.ts';
import { ProjectCache } from './projects.ts';
import { SpendRebuild } from './rebuild.ts';
import type { CountedSpend } from './spend-counter.ts';

export interface BudgetsOptions {
  redis: Redis;
  /** queues the alert jobs (fail fast) */
  producer: Redis;
  /** the alert worker's own connection (maxRetriesPerRequest: null) */
  workerConnection: Redis;
  store: Pick<Store, 'listProjects' | 'spendSince' | 'addAudit'>;
  prefix: string;
  processorId: string;
  alertTimeoutMs: number;
  alertBackoffMs: number;
  metrics: Metrics;
  log: Logger;
}

/**
 * The processor's budget side: spend counters rebuilt when Redis lost them, threshold alerts after each counted
 * batch (and their webhook worker), and the budget gauges. Counting itself is in persist (spend-counter.ts).
 */
export class Budgets {
  private readonly projects: ProjectCache;
  private readonly rebuild: SpendRebuild;
  private readonly alerts: BudgetAlerts;
  private readonly queue: Queue;
  private readonly worker: Worker;
  private readonly log: Logger;

  constructor(opts: BudgetsOptions) {
    this.log = opts.log;
    this.projects = new ProjectCache(opts.store, opts.log);
    this.rebuild = new SpendRebuild({ ...opts });
    this.queue = new Queue(BUDGET_ALERTS_QUEUE, { connection: opts.producer, prefix: opts.prefix });
    this.queue.on('error', (err) => opts.log.warn({ err: err.message }, 'budget alert queue error'));
    this.alerts = new BudgetAlerts({ ...opts, projects: this.projects, queue: this.queue, backoffMs: opts.alertBackoffMs });
    this.worker = startAlertWorker({ connection: opts.workerConnection, prefix: opts.prefix, store: opts.store, timeoutMs: opts.alertTimeoutMs, metrics: opts.metrics, log: opts.log });
    registerBudgetGauges(opts.metrics, this.projects, opts.redis, opts.prefix);
  }

  /** rebuilds the counters first if they are missing, then watches for their loss */
  start(): Promise<void> {
    return this.rebuild.start();
  }

  /** After a batch's pipeline: its project counters' new totals, checked against the alert thresholds. */
  async counted(counted: CountedSpend[], results: [Error | null, unknown][]): Promise<void> {
    try {
      await this.alerts.counted(counted, results);
    } catch (err) {
      this.log.warn({ err }, 'budget alert check failed');
    }
  }

  async close(): Promise<void> {
    await this.rebuild.stop();
    await this.worker.close();
    await this.queue.close();
  }
}

/**
 * `llmrelay_budget_spend_usd{project}` (the current period of its budget, the month without one) and
 * `llmrelay_budget_used_ratio{project}` (spend / budget, projects with a budget), read from the shared
 * counters at scrape time: every replica reports the same values (the dashboard takes the max), and a renamed
 * or deleted project leaves no stale series.
 */
function registerBudgetGauges(metrics: Metrics, projects: ProjectCache, redis: Redis, prefix: string): void {
  // the registry starts every metric's collect in the same tick: both gauges share the read in flight
  let pending: Promise<{ name: string; usd: number; ratio: number | null }[]> | null = null;
  const current = () => {
    pending ??= (async () => {
      const list = [...(await projects.get()).values()];
      const now = Date.now();
      const raw = list.length > 0 ? await redis.mget(...list.map((p) => spendKey(prefix, 'project', p.id, p.budget?.period ?? 'month', now))) : [];
      return list.map((p, i) => {
        const micro = Number(raw[i] ?? 0);
        return { name: p.name, usd: fromMicroUsd(micro), ratio: p.budget ? micro / toMicroUsd(p.budget.usd) : null };
      });
    })().finally(() => {
      pending = null;
    });
    return pending;
  };
  const gauge = (name: string, help: string, value: (v: { usd: number; ratio: number | null }) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['project'] as const,
      registers: [metrics.registry],
      async collect() {
        try {
          const values = await current();
          this.reset();
          for (const v of values) {
            const n = value(v);
            if (n !== null) this.set({ project: v.name }, n);
          }
        } catch {
          // Redis or the store unreachable: keep the last values rather than fail the whole scrape
        }
      },
    });
  gauge('llmrelay_budget_spend_usd', "a project's spend in USD in the current period of its budget (the month when it has none)", (v) => v.usd);
  gauge('llmrelay_budget_used_ratio', "a project's spend in the current period divided by its budget (1 = spent)", (v) => v.ratio);
}
