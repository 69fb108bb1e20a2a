import type { Queue } from 'bullmq';

/**
 * Put every failed exchange job back in the queue. Storage is idempotent by exchange id, so a job that
 * failed after its log was stored changes nothing when it runs again. Returns how many were retried.
 */
export async function replayFailedJobs(queue: Queue): Promise<number> {
  const failed = await queue.getFailedCount();
  if (failed === 0) return 0;
  await queue.retryJobs({ state: 'failed', count: 1000 });
  return failed;
}
