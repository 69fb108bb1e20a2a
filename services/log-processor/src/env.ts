import { hostname } from 'node:os';
import { z } from 'zod';
import { booleanFromEnv, parseEnv, portFromEnv, sharedEnvShape } from '@llm-relay/config';

export const ProcessorEnvSchema = z.object({
  ...sharedEnvShape,
  /** health and metrics only */
  PROCESSOR_PORT: portFromEnv.default(8090),
  PROCESSOR_HOST: z.string().default('0.0.0.0'),
  /** jobs held at once; must exceed the batch size so batches can fill */
  PROCESSOR_CONCURRENCY: z.coerce.number().int().min(1).max(5000).default(256),
  /** flush a batch when it holds this many logs ... */
  PROCESSOR_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(100),
  /** ... or when its oldest log has waited this long */
  PROCESSOR_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(50),
  /** ... or when its logs' bodies add up to this many bytes */
  PROCESSOR_BATCH_MAX_BYTES: z.coerce.number().int().min(1).default(32 * 1024 * 1024),
  /** a job held longer than this by a dead processor is handed to another (BullMQ lockDuration/stalledInterval) */
  PROCESSOR_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** this replica's name in heartbeats and metrics; default host-pid */
  PROCESSOR_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** keep embedding vectors in stored logs (off: count and dimensions only) */
  PROCESSOR_KEEP_EMBEDDINGS: booleanFromEnv.default(false),
  /** how often retention runs (one replica at a time) */
  RETENTION_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /** how often to complete roll-ups of batches a crashed replica left half-done (MongoDB without transactions) */
  ROLLUP_RECOVERY_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  /** a half-done batch younger than this is left to its writer (must exceed the slowest batch write) */
  ROLLUP_RECOVERY_GRACE_SECONDS: z.coerce.number().int().min(0).default(300),
  /** TEST ONLY: SIGKILL this process right after a batch's logs are written, before their roll-ups */
  PROCESSOR_TEST_SIGKILL_AFTER_LOG_INSERT: booleanFromEnv.default(false),
});
export type ProcessorEnv = z.infer<typeof ProcessorEnvSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): ProcessorEnv {
  return parseEnv(ProcessorEnvSchema, env);
}
