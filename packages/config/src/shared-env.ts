import { z } from 'zod';

/**
 * Variables every service reads the same way, so producer and consumer cannot disagree
 * (queue prefix, Redis URL, log level). Each service's env.ts extends this shape.
 */
export const sharedEnvShape = {
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** prefix of every Redis key and BullMQ queue; wrap in braces (`{llmrelay}`) for Redis Cluster */
  REDIS_PREFIX: z.string().min(1).default('llmrelay'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `sqlite:./data/llm-relay.db` (default) or `mongodb://...` */
  DATABASE_URL: z.string().default('sqlite:./data/llm-relay.db'),
  NODE_ENV: z.string().default('development'),
};
