import { MetricsTime, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  EXCHANGE_BATCH_JOB_NAME,
  EXCHANGE_JOB_NAME,
  EXCHANGE_JOB_OPTIONS,
  EXCHANGES_QUEUE,
  ExchangeBatchJobSchema,
  ExchangeEventSchema,
  FEEDBACK_JOB_NAME,
  FeedbackJobSchema,
  type StoredLog,
} from '@llm-relay/contracts';
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
  // where the events of a batch that could not be stored go back as jobs of their own (see handleBatch)
  const requeue = new Queue(EXCHANGES_QUEUE, { connection: opts.redis, prefix: opts.prefix });
  requeue.on('error', (err) => log.debug({ err }, 'queue connection error'));
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

  /**
   * Validate one exchange event, build its log, and store it with the next batch; acknowledged to its gateway
   * once stored. Throws an UnrecoverableError for an event no retry can store, and the store's error for a
   * log the store rejected.
   */
  const storeEvent = async (data: unknown): Promise<PersistOutcome & string> => {
    const parsed = ExchangeEventSchema.safeParse(data);
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
    // a store error that is not unavailability (those wait in the gate) fails this event only: the store
    // rejects this log. BullMQ retries it with backoff, then keeps it in "failed"
    if (typeof outcome === 'object') throw outcome.error;
    acks.stored(parsed.data);
    counts.processed += 1;
    metrics.processed.inc();
    return outcome;
  };

  /**
   * A gateway's batch: every event is stored as if it were a job of its own. The single-event job stays the
   * unit of failure: an event the batch could not store (invalid, or rejected by the store) is queued again as
   * an `exchange` job of its own, so it is retried with backoff and, failing for good, kept (redacted) in the
   * failed set like any other, while the batch's other events are done. Only when that re-queueing fails does
   * the batch fail, and its retry stores nothing twice (the store's ids are the event ids).
   */
  const handleBatch = async (job: Job): Promise<string> => {
    const parsed = ExchangeBatchJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`invalid exchange batch: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const { events } = parsed.data;
    const results = await Promise.allSettled(events.map(storeEvent));
    const unstored = events.filter((_, i) => results[i]!.status === 'rejected');
    if (unstored.length > 0) {
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      log.warn({ batch: job.id, events: events.length, unstored: unstored.length, reasons: [...new Set(reasons)].slice(0, 5) }, 'events of a batch not stored: queued again one job each');
      await requeue.addBulk(unstored.map((data) => ({ name: EXCHANGE_JOB_NAME, data, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: singleJobId(data) } })));
    }
    return `${events.length - unstored.length} of ${events.length} stored`;
  };

  const handle = (job: Job): Promise<string> => {
    if (job.name === FEEDBACK_JOB_NAME) return handleFeedback(job);
    if (job.name === EXCHANGE_BATCH_JOB_NAME) return handleBatch(job);
    return storeEvent(job.data);
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
        await requeue.close();
        return;
      }
      // The store is away: do not wait for it. The held jobs stay unacknowledged; their locks lapse and
      // another replica (or this one after a restart) takes them. None is failed.
      log.warn({ held: batcher.size }, 'stopping while the store is unavailable: held jobs are left for redelivery');
      gate.abandon();
      await worker.close(true);
      await acks.drain();
      await requeue.close();
    },
  };
}

/** The event's own id as the job id (CONTRIBUTING.md rule 8) when it has a usable one; BullMQ picks one otherwise. */
function singleJobId(data: unknown): string | undefined {
  const id = (data as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length > 0 && !id.includes(':') && `${parseInt(id, 10)}` !== id ? id : undefined;
}
