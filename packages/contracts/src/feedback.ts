import { z } from 'zod';
import { ScoreSchema } from './stored-log.ts';

/** Job name of feedback on the `exchanges` queue (the exchange jobs are EXCHANGE_JOB_NAME). */
export const FEEDBACK_JOB_NAME = 'feedback' as const;

/** Score names are field names in both stores (a MongoDB path segment, a JSON key): no dots, no `$`. */
export const SCORE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_FEEDBACK_COMMENT_CHARS = 2000;

/** The body of `POST /v1/relay/feedback` (`value: true/false` is stored as 1/0). */
export const FeedbackBodySchema = z.object({
  log_id: z.string().min(1).max(64),
  name: z.string().regex(SCORE_NAME_PATTERN, 'a score name is 1-64 of A-Z a-z 0-9 _ -').default('score'),
  value: z.union([z.number().finite(), z.boolean()]),
  comment: z.string().max(MAX_FEEDBACK_COMMENT_CHARS).optional(),
});
export type FeedbackBody = z.infer<typeof FeedbackBodySchema>;

/**
 * A score sent with a relay key, from the gateway to the processor (BullMQ job `feedback`, job id = `id`).
 * The processor applies it to the log when the log belongs to `keyId`, and keeps it pending when the log
 * is not stored yet.
 */
export const FeedbackJobSchema = z.object({
  v: z.literal(1),
  /** UUIDv7 of this feedback, also its job id */
  id: z.string().min(1),
  logId: z.string().min(1).max(64),
  name: z.string().regex(SCORE_NAME_PATTERN),
  /** the relay key that sent it: it may only score logs made with the same key */
  keyId: z.string(),
  score: ScoreSchema,
});
export type FeedbackJob = z.infer<typeof FeedbackJobSchema>;
