import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS, EXCHANGES_QUEUE, type ExchangeEvent } from '@llm-relay/contracts';
import { createLogger, createRedis, exchangeBatchJobs, JsonTextQueue } from '@llm-relay/server-kit';
import { deleteRedisPrefix, tempDir, uniquePrefix, type TempDir } from '@llm-relay/testkit';
import { readEnv } from '../../src/env.ts';
import { startProcessor, type Processor } from '../../src/processor.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Harness {
  prefix: string;
  processor: Processor;
  redis: Redis;
  queue: Queue;
  /** a single-event job (job id = event id, shared job options), as the processor queues an event of a batch again */
  add(event: unknown, jobId?: string): Promise<void>;
  /** as a gateway queues events: `exchange-batch` jobs of the events' JSON texts; returns the jobs' ids */
  addBatch(events: { id: string }[]): Promise<string[]>;
  close(): Promise<void>;
}

/** A processor running in this test process on its own Redis prefix and its own database. */
export async function startHarness(opts: { databaseUrl?: string; prefix?: string; env?: Record<string, string> } = {}): Promise<Harness> {
  const prefix = opts.prefix ?? uniquePrefix('lp');
  let dir: TempDir | null = null;
  let databaseUrl = opts.databaseUrl;
  if (!databaseUrl) {
    dir = tempDir('lp');
    databaseUrl = `sqlite:${dir.path}/relay.db`;
  }
  const env = readEnv({ REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, PROCESSOR_BATCH_WAIT_MS: '20', PROCESSOR_BATCH_SIZE: '20', PROCESSOR_CONCURRENCY: '64', ...opts.env });
  const processor = await startProcessor(env, createLogger('log-processor-test', process.env.TEST_LOG_LEVEL ?? 'silent'));
  const redis = createRedis(REDIS_URL, 'client');
  const queue = new Queue(EXCHANGES_QUEUE, { connection: redis, prefix });
  const textQueue = new JsonTextQueue(EXCHANGES_QUEUE, { connection: redis, prefix });
  return {
    prefix,
    processor,
    redis,
    queue,
    async add(event, jobId) {
      const id = jobId ?? (event as ExchangeEvent).id;
      await queue.add(EXCHANGE_JOB_NAME, event, { ...EXCHANGE_JOB_OPTIONS, jobId: id });
    },
    async addBatch(events) {
      const jobs = exchangeBatchJobs(events.map((e) => ({ id: e.id, line: JSON.stringify(e) })));
      await textQueue.addBulk(jobs);
      return jobs.map((j) => j.opts.jobId);
    },
    async close() {
      await processor.close();
      await queue.close();
      await textQueue.close();
      await deleteRedisPrefix(redis, prefix);
      await redis.quit();
      dir?.remove();
    },
  };
}
