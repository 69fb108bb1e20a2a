import type { Queue } from 'bullmq';

/**
 * Put every failed exchange job back in the queue (admin's `POST /admin/failed-jobs/replay` and the
 * processor's `replay-failed` command). Storage is idempotent by exchange id, so a job that failed after its
 * log was stored changes nothing when it runs again. Returns how many were failed when the replay began.
 */
export async function replayFailedJobs(queue: Queue): Promise<number> {
  const failed = await queue.getFailedCount();
  if (failed === 0) return 0;
  // retryJobs moves them in steps of `count` until none is left
  await queue.retryJobs({ state: 'failed', count: 1000 });
  return failed;
}
