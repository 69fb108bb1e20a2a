import { createHash } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { EXCHANGE_BATCH_JOB_MAX_BYTES, EXCHANGE_BATCH_JOB_NAME, EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS } from '@llm-relay/contracts';

/**
 * A job whose data is already a JSON text: BullMQ stores that text as it is instead of serialising the
 * data again. The event sink serialises each event once, for the journal, and queues the same text —
 * BullMQ's own `JSON.stringify` of every event was ~2 % of the gateway's busy CPU under saturation
 * (bench/FINDINGS.md). A worker reads the job exactly as if the object had been added.
 */
class JsonTextJob extends Job {
  override asJSON(): ReturnType<Job['asJSON']> {
    const text = this.data as string;
    // with no data BullMQ writes `{}`; the text then takes its place
    this.data = undefined;
    try {
      return { ...super.asJSON(), data: text };
    } finally {
      this.data = text;
    }
  }
}

/** A queue whose `add`/`addBulk` take each job's data as a JSON text (see JsonTextJob). */
export class JsonTextQueue extends Queue<string> {
  protected override get Job(): typeof Job {
    // BullMQ builds its jobs through this getter ("helper to easily extend Job class calls")
    return JsonTextJob as unknown as typeof Job;
  }
}

/** An exchange event and its JSON text (as the gateway's journal keeps it). */
export interface EventText {
  id: string;
  line: string;
}

/**
 * The `exchange-batch` jobs (EXCHANGE_BATCH_JOB_NAME) that carry these events, in their order, for a
 * JsonTextQueue's `addBulk`: a job is closed once it holds EXCHANGE_BATCH_JOB_MAX_BYTES of JSON (an event
 * larger than that goes alone). Its data is `{"events":[...]}` built from the texts, not serialised again.
 */
export function exchangeBatchJobs(events: readonly EventText[]): { name: string; data: string; opts: typeof EXCHANGE_JOB_OPTIONS & { jobId: string } }[] {
  const jobs = [];
  for (let start = 0; start < events.length; ) {
    let end = start;
    let bytes = 0;
    while (end < events.length && (end === start || bytes + events[end]!.line.length <= EXCHANGE_BATCH_JOB_MAX_BYTES)) bytes += events[end++]!.line.length;
    const slice = events.slice(start, end);
    jobs.push({ name: EXCHANGE_BATCH_JOB_NAME, data: `{"events":[${slice.map((e) => e.line).join(',')}]}`, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: batchJobId(slice) } });
    start = end;
  }
  return jobs;
}

/** `batch-<first event id>-<count>-<hash of every id>`: the same events give the same id (no `:`, which BullMQ refuses). */
function batchJobId(events: readonly EventText[]): string {
  const hash = createHash('sha256');
  for (const e of events) hash.update(e.id).update(',');
  return `batch-${events[0]!.id}-${events.length}-${hash.digest('base64url').slice(0, 16)}`;
}

/**
 * The exchange events a job of the `exchanges` queue carries, as they were queued (not validated): a batch's
 * events, a single event job's one, none for another job type (feedback). For tools and tests that look into the
 * queue; the processor validates each event itself.
 */
export function eventsOfJob(job: Pick<Job, 'name' | 'data'>): unknown[] {
  const data: unknown = typeof job.data === 'string' ? JSON.parse(job.data) : job.data;
  if (job.name === EXCHANGE_BATCH_JOB_NAME) return (data as { events?: unknown[] } | null)?.events ?? [];
  return job.name === EXCHANGE_JOB_NAME ? [data] : [];
}
