import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Redactor } from '../logs/build-log.ts';

/**
 * A job that has failed for good stays in Redis for a replay (bounded by EXCHANGE_JOB_OPTIONS.removeOnFail).
 * With redaction on, what stays is the redacted event, not the raw one: a replay then stores the same log the
 * first run would have stored (redaction is idempotent), and nothing unredacted outlives its processing.
 * Every string is redacted (keys too), also in a payload that failed validation; the exchange id and the
 * relay-key record are kept as they were so the replayed log keeps its id and key.
 */
export function redactJobData(data: unknown, redactor: Redactor): unknown {
  // a batch job's data (ExchangeBatchJobSchema): each event keeps its own id, key and gateway
  if (isRecord(data) && Array.isArray(data.events)) return { ...data, events: data.events.map((ev: unknown) => redactJobData(ev, redactor)) };
  const { value } = redactor.redactJson(data);
  if (!isRecord(data) || !isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const field of ['v', 'id', 'key', 'gatewayId']) if (field in data) out[field] = data[field];
  return out;
}

/** True once BullMQ will not try the job again. */
export function failedForGood(job: Job, err: Error): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
}

export async function redactFailedJob(job: Job, redactor: Redactor | null, log: Logger): Promise<void> {
  if (!redactor) return;
  try {
    await job.updateData(redactJobData(job.data, redactor));
  } catch (err) {
    log.warn({ err, exchangeId: job.id }, 'could not redact the data of a failed job');
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
