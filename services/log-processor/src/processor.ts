import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createRedis } from '@llm-relay/server-kit';
import { createStore, type Store } from '@llm-relay/store';
import type { ProcessorEnv } from './env.ts';
import { buildApp } from './app.ts';
import { Queue } from 'bullmq';
import { EXCHANGES_QUEUE } from '@llm-relay/contracts';
import { createMetrics, registerQueueDepth, type Metrics } from './features/ops/metrics.ts';
import { startHeartbeat } from './features/ops/heartbeat.ts';
import { SettingsWatcher } from './features/settings/settings-watcher.ts';
import { startIngest, type Ingest } from './features/ingest/worker.ts';
import { scheduleRetention } from './features/retention/retention.ts';
import { scheduleRollupRecovery } from './features/rollups/recovery.ts';
import { PromptDetector } from './features/prompts/detector.ts';
import { spanExportConfig } from './features/otel/config.ts';
import { Budgets } from './features/budgets/budgets.ts';

export interface Processor {
  app: FastifyInstance;
  store: Store;
  settings: SettingsWatcher;
  ingest: Ingest;
  metrics: Metrics;
  /** the ordered shutdown: stop taking jobs, flush the batch, close worker, store, Redis */
  close(): Promise<void>;
}

/** Wire the processor from its environment. The caller listens on `app` and installs signal handlers. */
export async function startProcessor(env: ProcessorEnv, log: Logger): Promise<Processor> {
  const redis = createRedis(env.REDIS_URL, 'client');
  const subscriber = createRedis(env.REDIS_URL, 'subscriber');
  const workerConnection = createRedis(env.REDIS_URL, 'worker');
  // budget alerts: queued on a fail-fast connection (CONTRIBUTING.md rule 9), sent by a worker of their own
  const alertProducer = createRedis(env.REDIS_URL, 'producer');
  const alertConnection = createRedis(env.REDIS_URL, 'worker');
  for (const c of [redis, subscriber, workerConnection, alertProducer, alertConnection]) c.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const store = await createStore(env.DATABASE_URL, {
    // SQLite writes on their own thread: a write lock held elsewhere must not freeze health checks and lock renewals
    writeThread: true,
    // the crash test's window; unset (production) no hook exists at all
    testHooks: env.PROCESSOR_TEST_SIGKILL_AFTER_LOG_INSERT ? { afterLogsInserted: () => void process.kill(process.pid, 'SIGKILL') } : undefined,
  });
  const metrics = createMetrics();
  // a Queue handle only to count jobs for /metrics (the worker consumes through its own connection)
  const queue = new Queue(EXCHANGES_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
  registerQueueDepth(metrics, () => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
  const settings = new SettingsWatcher(redis, subscriber, env.REDIS_PREFIX, log);
  await settings.start();

  const prompts = new PromptDetector({ store, redis, prefix: env.REDIS_PREFIX, log });
  await prompts.start();

  const otel = spanExportConfig(env);
  // loaded only when configured: without an endpoint the SDK is neither started nor imported
  const spans = otel ? (await import('./features/otel/span-export.ts')).startSpanExport(otel, log) : undefined;
  const budgets = new Budgets({
    redis,
    producer: alertProducer,
    workerConnection: alertConnection,
    store,
    prefix: env.REDIS_PREFIX,
    processorId: env.PROCESSOR_ID,
    alertTimeoutMs: env.BUDGET_ALERT_TIMEOUT_MS,
    alertBackoffMs: env.BUDGET_ALERT_BACKOFF_MS,
    metrics,
    log,
  });
  // before the first job: a Redis that lost the spend counters gets them back from the store first
  await budgets.start();
  const ingest = startIngest({
    budgets,
    spans,
    store,
    redis,
    prefix: env.REDIS_PREFIX,
    metrics,
    log,
    workerConnection,
    settings,
    concurrency: Math.max(env.PROCESSOR_CONCURRENCY, env.PROCESSOR_BATCH_SIZE),
    batchSize: env.PROCESSOR_BATCH_SIZE,
    batchWaitMs: env.PROCESSOR_BATCH_WAIT_MS,
    batchMaxBytes: env.PROCESSOR_BATCH_MAX_BYTES,
    lockMs: env.PROCESSOR_LOCK_MS,
    // a job whose replica died this often is failed (kept for replay) rather than crash every replica in turn
    maxStalledCount: 5,
    keepEmbeddingVectors: env.PROCESSOR_KEEP_EMBEDDINGS,
    prompts,
  });
  const heartbeat = startHeartbeat(
    redis,
    env.REDIS_PREFIX,
    env.PROCESSOR_ID,
    () => ({ processed: ingest.counts.processed, failed: ingest.counts.failed, storeUnavailableSince: ingest.gate.unavailableSince }),
    log,
    env.HEARTBEAT_MS,
  );
  const retention = scheduleRetention(
    { store, redis, prefix: env.REDIS_PREFIX, settings: () => settings.current, metrics, log, batchSize: env.RETENTION_BATCH_SIZE },
    env.RETENTION_INTERVAL_SECONDS * 1000,
  );
  const recovery = scheduleRollupRecovery(store, log, {
    intervalMs: env.ROLLUP_RECOVERY_INTERVAL_SECONDS * 1000,
    graceMs: env.ROLLUP_RECOVERY_GRACE_SECONDS * 1000,
  });
  let running = true;
  const app = buildApp({ metrics, log, isRunning: () => running });

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      running = false;
      const step = async (name: string, fn: () => Promise<unknown>) => {
        const t0 = Date.now();
        try {
          await fn();
          log.info({ step: name, ms: Date.now() - t0 }, 'shutdown step done');
        } catch (err) {
          log.error({ err, step: name }, 'shutdown step failed');
        }
      };
      // deregister first: a stopping replica leaves admin's system page at once, not after its last job
      await step('heartbeat', () => heartbeat.stop());
      await step('worker', () => ingest.close());
      // after the worker: the last batch's spans are queued, and go out before the process exits
      if (spans) await step('otel spans', () => spans.shutdown());
      await step('budgets', () => budgets.close());
      settings.stop();
      prompts.stop();
      await step('retention', () => retention.stop());
      await step('rollup recovery', () => recovery.stop());
      await step('http', () => app.close());
      await step('store', () => store.close());
      await step('queue handle', () => queue.close());
      await step('redis', () => Promise.all([redis.quit(), subscriber.quit(), workerConnection.quit(), alertProducer.quit(), alertConnection.quit()]));
    })());
  return { app, store, settings, ingest, metrics, close };
}
