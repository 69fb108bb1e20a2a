import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EXCHANGE_JOB_OPTIONS, EXCHANGES_QUEUE, FEEDBACK_JOB_NAME, FeedbackJobSchema, RelayError, type FeedbackJob } from '@llm-relay/contracts';
import { withTimeout } from '@llm-relay/server-kit';

const ADD_TIMEOUT_MS = 2_000;

/**
 * Feedback goes onto the exchanges queue as its own job type, so one processor pool applies it in order
 * with the logs it scores. Unlike exchange events it is not journaled: the caller waits for the add and
 * gets a 503 to retry when Redis does not take it, which keeps a 202 an honest "accepted".
 */
export class FeedbackQueue {
  private readonly queue: Queue;

  constructor(conn: Redis, prefix: string) {
    this.queue = new Queue(EXCHANGES_QUEUE, { connection: conn, prefix });
    this.queue.on('error', () => undefined);
  }

  async add(job: FeedbackJob): Promise<void> {
    // the producer validates too (CONTRIBUTING.md rule 6): a bad job must fail here, not in every processor
    const data = FeedbackJobSchema.parse(job);
    try {
      await withTimeout(this.queue.add(FEEDBACK_JOB_NAME, data, { ...EXCHANGE_JOB_OPTIONS, jobId: data.id }), ADD_TIMEOUT_MS);
    } catch {
      throw new RelayError('feedback_unavailable', 'The relay could not queue the feedback right now; retry the request.');
    }
  }

  close(): Promise<void> {
    return this.queue.close().catch(() => undefined);
  }
}
