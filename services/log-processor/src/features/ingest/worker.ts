import { MetricsTime, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { EXCHANGES_QUEUE, ExchangeEventSchema, FEEDBACK_JOB_NAME, FeedbackJobSchema, type StoredLog } from '@llm-relay/contracts';
import { applyFeedback } from '../feedback/scores.ts';
import { buildLog } from '../logs/build-log.ts';
import type { SettingsWatcher } from '../settings/settings-watcher.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { PromptDetector } from '../prompts/detector.ts';
import { MicroBatcher } from '@llm-relay/server-kit';
import { persistIsolating, type PersistDeps, type PersistOutcome } from './persist.ts';
import { StoredAckWriter } from './stored-acks.ts';
import { failedForGood, redactFailedJob } from './redact-failed.ts';
import { StoreGate } from './store-gate.ts';

export interface IngestOptions extends Omit<PersistDeps, 'gate'> {
  /** BullMQ needs its own blocking connection (maxRetriesPerRequest: null) */
  workerConnection: Redis;
  settings: SettingsWatcher;
  concurrency: number;
  batchSize: number;
  batchWaitMs: number;
  batchMaxBytes: number;
  /** BullMQ lock of a held job, renewed every half; a dead replica's jobs are redelivered within ~1.5× this */
  lockMs: number;
  /** how often a killed replica's jobs may be redelivered before BullMQ fails them as stalled */
  maxStalledCount: number;
  keepEmbeddingVectors: boolean;
  prompts: PromptDetector;
  metrics: Metrics;
  log: Logger;
}

export interface Ingest {
  worker: Worker;
  batcher: MicroBatcher<StoredLog, PersistOutcome>;
  counts: { processed: number; failed: number };
  /** store backpressure: pauses the worker while the store refuses writes */
  gate: StoreGate;
  /** stop taking jobs, let held jobs finish (their batch flushes), close the worker */
  close(): Promise<void>;
}

/**
 * The exchange consumer. Jobs are validated, turned into logs, and parked in the micro-batcher; a job
 * completes only when its batch is stored. Concurrency above the batch size keeps batches full.
 */
export function startIngest(opts: IngestOptions): Ingest {
  const { metrics, log } = opts;
  const counts = { processed: 0, failed: 0 };
  const acks = new StoredAckWriter(opts.redis, opts.prefix, log);
  let closing = false;
  // the worker the gate pauses; it exists before any write (a write happens only after a job was taken)
  const gated: { worker?: Worker } = {};
  const gate = new StoreGate({
    metrics,
    log,
    // doNotWaitActive: the held jobs are the ones waiting for the store
    onUnavailable: () => void gated.worker?.pause(true),
    onRecovered: () => {
      if (!closing) void gated.worker?.resume();
    },
  });
  const deps: PersistDeps = { ...opts, gate };
  const batcher = new MicroBatcher<StoredLog, PersistOutcome>({
    maxSize: opts.batchSize,
    maxWaitMs: opts.batchWaitMs,
    flush: (logs) => persistIsolating(deps, logs),
    // large bodies are written sooner rather than held in memory waiting for the batch to fill
    weigh: (log) => log.request.bytes + log.response.bytes,
    maxWeight: opts.batchMaxBytes,
  });

  /** feedback shares the queue (it is applied in order with the logs it scores) as a job type of its own */
  const handleFeedback = async (job: Job): Promise<string> => {
    const parsed = FeedbackJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`invalid feedback: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return applyFeedback(opts, parsed.data, opts.settings.currentRedactor());
  };

  const handle = async (job: Job): Promise<string> => {
    if (job.name === FEEDBACK_JOB_NAME) return handleFeedback(job);
    const parsed = ExchangeEventSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`invalid exchange event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    let stored: StoredLog;
    try {
      stored = buildLog(parsed.data, { settings: opts.settings.current, redactor: opts.settings.currentRedactor(), keepEmbeddingVectors: opts.keepEmbeddingVectors });
    } catch (err) {
      // A retry would fail the same way; the job stays in the failed set to be replayed after a fix.
      throw new UnrecoverableError(`could not build the log: ${(err as Error).message}`);
    }
    // from the stored (redacted) body, so a version's text never holds what redaction removed; an unavailable
    // store waits in the gate like the insert, any other store error fails the job and BullMQ retries it.
    // A known template is answered from memory: that success says nothing about the store, so it does not
    // resume a worker paused by an outage (jobs taken before the pause would otherwise resume it at once)
    stored.prompt = await gate.run(() => opts.prompts.assign(stored.route, stored.request.body, parsed.data.attribution?.prompt), { endsOutage: false });
    metrics.inflight.inc();
    let outcome: PersistOutcome;
    try {
      outcome = await batcher.add(stored);
    } finally {
      metrics.inflight.dec();
    }
    // a store error that is not unavailability (those wait in the gate) fails this job only: the store
    // rejects this log. BullMQ retries it with backoff, then keeps it in "failed"
    if (typeof outcome === 'object') throw outcome.error;
    acks.stored(parsed.data);
    return outcome;
  };

  const worker = new Worker(EXCHANGES_QUEUE, handle, {
    connection: opts.workerConnection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    // renewed every lockMs/2 while the job is held; a killed replica's lock lapses within lockMs of its death
    lockDuration: opts.lockMs,
    // a job is redelivered at the first stalled check after its lock lapsed: worst case ~1.5 × lockMs
    stalledInterval: Math.max(500, Math.floor(opts.lockMs / 2)),
    maxStalledCount: opts.maxStalledCount,
    // completed jobs are removed with their data at once (EXCHANGE_JOB_OPTIONS); these counters keep the count
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    autorun: true,
  });
  gated.worker = worker;
  worker.on('completed', (job) => {
    if (job.name === FEEDBACK_JOB_NAME) return;
    counts.processed += 1;
    metrics.processed.inc();
  });
  worker.on('failed', (job, err) => {
    counts.failed += 1;
    const reason = err instanceof UnrecoverableError ? 'invalid' : 'store';
    metrics.failed.inc({ reason });
    log.error({ err, exchangeId: job?.id, attempts: job?.attemptsMade }, 'exchange job failed');
    if (job && failedForGood(job, err)) void redactFailedJob(job, opts.settings.currentRedactor(), log);
  });
  worker.on('error', (err) => log.error({ err }, 'worker error'));

  return {
    worker,
    batcher,
    counts,
    gate,
    async close() {
      closing = true;
      // Active jobs are parked in the batcher: stop fetching, flush them now (and any job fetched meanwhile)
      // instead of waiting for batches to fill or time out.
      batcher.flushEagerly();
      await worker.pause(true);
      const outcome = await Promise.race([batcher.drain().then(() => 'stored' as const), gate.whenUnavailable().then(() => 'store unavailable' as const)]);
      if (outcome === 'stored') {
        await worker.close();
        await batcher.drain();
        await acks.drain();
        return;
      }
      // The store is away: do not wait for it. The held jobs stay unacknowledged; their locks lapse and
      // another replica (or this one after a restart) takes them. None is failed.
      log.warn({ held: batcher.size }, 'stopping while the store is unavailable: held jobs are left for redelivery');
      gate.abandon();
      await worker.close(true);
      await acks.drain();
    },
  };
}
