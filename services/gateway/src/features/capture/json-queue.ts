import { Job, Queue } from 'bullmq';

/**
 * A job whose data is already a JSON text: BullMQ stores that text as it is instead of serialising the
 * data again. The event sink serialises each event once, for the journal, and queues the same string —
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

/** A queue whose `addBulk` takes each job's data as a JSON text (see JsonTextJob). */
export class JsonTextQueue extends Queue<string> {
  protected override get Job(): typeof Job {
    // BullMQ builds its jobs through this getter ("helper to easily extend Job class calls")
    return JsonTextJob as unknown as typeof Job;
  }
}
