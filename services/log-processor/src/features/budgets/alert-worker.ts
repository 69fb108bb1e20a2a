import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BUDGET_ALERTS_QUEUE, BudgetAlertJobSchema, uuidv7, type BudgetAlertJob } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';
import type { Metrics } from '../ops/metrics.ts';

/** the audit action of an alert that never reached its webhook */
const ALERT_FAILED_ACTION = 'budget.alert_failed';

/**
 * POSTs each queued budget alert (BudgetAlertSchema JSON) to its project's webhook, within `timeoutMs`; a
 * non-2xx answer, a timeout or a network error fails the attempt and BullMQ retries it with exponential
 * backoff. The last attempt writes an audit-log entry (actor `system`) before it fails, so a webhook that
 * never answers is visible in the UI's audit page, not only in the processor's log.
 */
export function startAlertWorker(opts: { connection: Redis; prefix: string; store: Pick<Store, 'addAudit'>; timeoutMs: number; metrics: Metrics; log: Logger }): Worker {
  const { metrics, log } = opts;
  const send = async (job: Job): Promise<void> => {
    const parsed = BudgetAlertJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid budget alert job: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { webhookUrl, alert } = parsed.data;
    try {
      const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert), signal: AbortSignal.timeout(opts.timeoutMs) });
      // the body is not needed; reading it frees the connection
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`the webhook answered ${res.status}`);
      metrics.budgetAlerts.inc({ result: 'sent' });
    } catch (err) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      metrics.budgetAlerts.inc({ result: last ? 'failed' : 'retried' });
      if (last) await auditFailure(opts.store, parsed.data, job.attemptsMade + 1, err as Error, log);
      else log.warn({ err: (err as Error).message, projectId: parsed.data.projectId, attempt: job.attemptsMade + 1 }, 'budget alert webhook failed; retrying');
      throw err;
    }
  };
  const worker = new Worker(BUDGET_ALERTS_QUEUE, send, { connection: opts.connection, prefix: opts.prefix, concurrency: 4 });
  worker.on('error', (err) => log.warn({ err: err.message }, 'budget alert worker error'));
  return worker;
}

async function auditFailure(store: Pick<Store, 'addAudit'>, job: BudgetAlertJob, attempts: number, err: Error, log: Logger): Promise<void> {
  const { alert } = job;
  // the webhook URL may hold a secret (Slack's does): only its origin goes into the audit log
  const details = { threshold: alert.threshold, period: alert.period, periodStart: alert.periodStart, spendUsd: alert.spendUsd, budgetUsd: alert.budgetUsd, webhook: new URL(job.webhookUrl).origin, attempts, error: err.message };
  log.error({ projectId: job.projectId, ...details }, 'budget alert not delivered after its last attempt');
  try {
    await store.addAudit({ id: uuidv7(), at: Date.now(), actor: 'system', action: ALERT_FAILED_ACTION, target: job.projectId, details });
  } catch (e) {
    log.error({ err: e }, 'audit write of the failed budget alert failed');
  }
}
