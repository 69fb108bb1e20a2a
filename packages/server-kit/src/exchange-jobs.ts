import { createHash } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { EXCHANGE_BATCH_JOB_MAX_BYTES, EXCHANGE_BATCH_JOB_NAME, EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS } from '@llm-relay/contracts';

/**
 * A job whose data is already a JSON text (a string, or its UTF-8 bytes): BullMQ stores it as it is instead of
 * serialising the data again. The event sink serialises each event once, for the journal, and queues the same
 * text — BullMQ's own `JSON.stringify` of every event was ~2 % of the gateway's busy CPU under saturation
 * (bench/FINDINGS.md). Given as a Buffer, ioredis copies it into the command once; a string it would copy three
 * times (into the command text, into a Buffer of it, and into the command's Buffer). A worker reads the job
 * exactly as if the object had been added.
 */
class JsonTextJob extends Job {
  override asJSON(): ReturnType<Job['asJSON']> {
    const text = this.data as string | Buffer;
    // with no data BullMQ writes `{}`; the text then takes its place
    this.data = undefined;
    try {
      // typed as a string by BullMQ; a Buffer goes to ioredis as the same bytes
      return { ...super.asJSON(), data: text as string };
    } finally {
      this.data = text;
    }
  }
}

/** A queue whose `add`/`addBulk` take each job's data as a JSON text or its bytes (see JsonTextJob). */
export class JsonTextQueue extends Queue<string | Buffer> {
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
 * larger than that goes alone). Its data is the UTF-8 bytes of `{"events":[...]}`, written straight from the
 * texts into one Buffer (no joined string, nothing serialised again).
 */
export function exchangeBatchJobs(events: readonly EventText[]): { name: string; data: Buffer; opts: typeof EXCHANGE_JOB_OPTIONS & { jobId: string } }[] {
  const jobs = [];
  const sizes = events.map((e) => Buffer.byteLength(e.line));
  for (let start = 0; start < events.length; ) {
    let end = start;
    let bytes = 0;
    while (end < events.length && (end === start || bytes + sizes[end]! <= EXCHANGE_BATCH_JOB_MAX_BYTES)) bytes += sizes[end++]! + 1;
    const slice = events.slice(start, end);
    // `{"events":[` + texts with a comma after each but the last + `]}`
    const data = Buffer.allocUnsafe(BATCH_HEAD.length + bytes - 1 + BATCH_TAIL.length);
    let at = data.write(BATCH_HEAD, 0, 'latin1');
    for (let i = start; i < end; i++) {
      if (i > start) data[at++] = 0x2c;
      at += data.write(events[i]!.line, at, sizes[i]!, 'utf8');
    }
    data.write(BATCH_TAIL, at, 'latin1');
    jobs.push({ name: EXCHANGE_BATCH_JOB_NAME, data, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: batchJobId(slice) } });
    start = end;
  }
  return jobs;
}
const BATCH_HEAD = '{"events":[';
const BATCH_TAIL = ']}';

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
  const raw: unknown = job.data;
  const data: unknown = typeof raw === 'string' ? JSON.parse(raw) : Buffer.isBuffer(raw) ? JSON.parse(raw.toString('utf8')) : raw;
  if (job.name === EXCHANGE_BATCH_JOB_NAME) return (data as { events?: unknown[] } | null)?.events ?? [];
  return job.name === EXCHANGE_JOB_NAME ? [data] : [];
}
