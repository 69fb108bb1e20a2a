import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LabelBound } from '@llm-relay/server-kit';

/** distinct model names with a token/cost series of their own (the client names the model); later ones are `other` */
const MODEL_LABELS_MAX = 100;

/** Everything /metrics reports; one registry per processor so tests can build several in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'llmrelay_processor_' });
  return {
    registry,
    processed: new Counter({ name: 'llmrelay_processor_processed_total', help: 'exchange events stored (or found already stored), from single and batch jobs alike', registers: [registry] }),
    inserted: new Counter({ name: 'llmrelay_processor_logs_inserted_total', help: 'logs newly inserted into the store', registers: [registry] }),
    duplicates: new Counter({ name: 'llmrelay_processor_duplicates_total', help: 'jobs whose log was already stored (redelivery, replay)', registers: [registry] }),
    failed: new Counter({ name: 'llmrelay_processor_failed_total', help: 'exchange job attempts that failed', labelNames: ['reason'] as const, registers: [registry] }),
    queueLag: new Histogram({
      name: 'llmrelay_processor_queue_lag_seconds',
      help: 'time from the end of the exchange to its log being stored',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    batchSize: new Histogram({ name: 'llmrelay_processor_batch_size', help: 'logs per store write', buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], registers: [registry] }),
    storeLatency: new Histogram({
      name: 'llmrelay_processor_store_seconds',
      help: 'duration of one batch write (logs, roll-ups, key usage)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    redactions: new Counter({ name: 'llmrelay_processor_redactions_total', help: 'PII findings replaced, by type', labelNames: ['type'] as const, registers: [registry] }),
    retention: new Counter({ name: 'llmrelay_processor_retention_total', help: 'retention work done', labelNames: ['kind'] as const, registers: [registry] }),
    feedback: new Counter({
      name: 'llmrelay_processor_feedback_total',
      help: 'feedback (scores sent with a relay key) by result: applied, unchanged, stale (a newer score of that name is stored), pending (log not stored yet), dropped_wrong_key (the log was made with another key), expired (its log never came)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    // from stored logs, once per log: what the dashboard's token and spend panels sum (model is the requested one)
    tokens: new Counter({ name: 'llmrelay_processor_tokens_total', help: 'tokens of stored logs, by model and type (input, output)', labelNames: ['model', 'type'] as const, registers: [registry] }),
    costUsd: new Counter({ name: 'llmrelay_processor_cost_usd_total', help: 'cost in USD of stored logs with a known price, by model', labelNames: ['model'] as const, registers: [registry] }),
    modelLabel: new LabelBound(MODEL_LABELS_MAX),
    storeUnavailable: new Gauge({
      name: 'llmrelay_processor_store_unavailable',
      help: '1 while the store refuses writes (busy, locked, full, unreachable): consumption paused, held jobs retried',
      registers: [registry],
    }),
    storeRetries: new Counter({ name: 'llmrelay_processor_store_retries_total', help: 'store writes retried because the store was unavailable', registers: [registry] }),
    spendCountFailures: new Counter({
      name: 'llmrelay_processor_spend_count_failures_total',
      help: 'batches whose spend counter update failed in Redis (their spend is recounted when the counters are rebuilt)',
      registers: [registry],
    }),
    spendRebuilds: new Counter({
      name: 'llmrelay_processor_spend_rebuilds_total',
      help: 'spend counters rebuilt from the store after Redis lost them, by result (done, failed)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    budgetAlerts: new Counter({
      name: 'llmrelay_processor_budget_alerts_total',
      help: 'budget threshold alerts by result: queued (threshold crossed), sent (webhook answered 2xx), retried (an attempt failed), failed (last attempt failed, audited)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    inflight: new Gauge({ name: 'llmrelay_processor_pending_logs', help: 'logs waiting in the current batch', registers: [registry] }),
  };
}
/**
 * `llmrelay_processor_queue_jobs{state}`: the exchange queue's jobs by state, read from Redis at scrape time
 * (every replica reports the same shared queue; the dashboard takes max across instances).
 */
export function registerQueueDepth(metrics: Metrics, counts: () => Promise<Record<string, number>>): void {
  new Gauge({
    name: 'llmrelay_processor_queue_jobs',
    help: 'jobs in the exchange queue by state (waiting, active, delayed, failed)',
    labelNames: ['state'] as const,
    registers: [metrics.registry],
    async collect() {
      try {
        for (const [state, n] of Object.entries(await counts())) this.set({ state }, n);
      } catch {
        // Redis unreachable: keep the last values rather than fail the whole scrape
      }
    },
  });
}

export type Metrics = ReturnType<typeof createMetrics>;
