import type { Logger } from 'pino';
import type { FeedbackJob } from '@llm-relay/contracts';
import type { PendingScore, ScoreResult, Store } from '@llm-relay/store';
import type { Metrics } from '../ops/metrics.ts';
import type { Redactor } from '../logs/build-log.ts';

export interface FeedbackDeps {
  store: Store;
  metrics: Metrics;
  log: Logger;
}

/** A pending score whose log has not come after this long is dropped (its log id was wrong, or the log was lost). */
export const PENDING_SCORE_TTL_MS = 7 * 86_400_000;

type FeedbackResult = ScoreResult | 'pending';

function count(deps: FeedbackDeps, p: PendingScore, r: FeedbackResult): void {
  deps.metrics.feedback.inc({ result: r === 'wrong_key' ? 'dropped_wrong_key' : r });
  if (r === 'wrong_key') deps.log.info({ logId: p.logId, keyId: p.keyId, name: p.name }, 'feedback dropped: the log was made with another relay key');
}

/**
 * A feedback job: set the score on its log when that log exists and was made with the same key; keep it
 * pending when the log is not stored yet. The second attempt after keeping it closes the race with a log
 * stored in between, whose own look for pending scores (applyPendingScores) may have run just before.
 * `redactor` is the current settings' (null when redaction is off).
 */
export async function applyFeedback(deps: FeedbackDeps, job: FeedbackJob, redactor: Redactor | null): Promise<FeedbackResult> {
  // a comment is client text like the bodies: redacted with the current settings before it is kept
  const score = redactor && job.score.comment !== undefined ? { ...job.score, comment: redactor.redactText(job.score.comment).text } : job.score;
  const p: PendingScore = { logId: job.logId, name: job.name, keyId: job.keyId, score };
  let r: FeedbackResult = await deps.store.setScore(p.logId, p.name, p.score, { keyId: p.keyId });
  if (r === 'not_found') {
    await deps.store.addPendingScore(p);
    r = await deps.store.setScore(p.logId, p.name, p.score, { keyId: p.keyId });
    if (r === 'not_found') r = 'pending';
    else await deps.store.deletePendingScore(p);
  }
  count(deps, p, r);
  return r;
}

/**
 * After a batch is stored: the scores that arrived before these logs. Run for every log of the batch, new or
 * already stored, so a failure here (the job is retried, its log is then a duplicate) still applies them.
 */
export async function applyPendingScores(deps: FeedbackDeps, logIds: string[]): Promise<void> {
  const pending = await deps.store.pendingScoresFor(logIds);
  for (const p of pending) {
    const r = await deps.store.setScore(p.logId, p.name, p.score, { keyId: p.keyId });
    await deps.store.deletePendingScore(p);
    count(deps, p, r);
  }
}

/** Drop pending scores older than PENDING_SCORE_TTL_MS; counted as `expired`. */
export async function expirePendingScores(deps: FeedbackDeps, now = Date.now()): Promise<number> {
  const n = await deps.store.expirePendingScores(now - PENDING_SCORE_TTL_MS);
  if (n > 0) {
    deps.metrics.feedback.inc({ result: 'expired' }, n);
    deps.log.info({ expired: n }, 'pending scores expired: their logs never came');
  }
  return n;
}
