import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ProcessorHeartbeatSchema, redisKeys } from '@llm-relay/contracts';
import { startHeartbeat as beat } from '@llm-relay/server-kit';

/** HSET processors[id] = ProcessorHeartbeat every few seconds, for admin's system page; removed on stop. */
export function startHeartbeat(
  redis: Redis,
  prefix: string,
  id: string,
  status: () => { processed: number; failed: number; storeUnavailableSince: number | null },
  log: Logger,
  everyMs = 5000,
): { stop(): Promise<void> } {
  return beat({ redis, key: redisKeys(prefix).processors, id, everyMs, schema: ProcessorHeartbeatSchema, status, log });
}
