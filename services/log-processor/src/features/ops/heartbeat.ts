import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisKeys } from '@llm-relay/contracts';

/** HSET processors[id] = {id, lastSeen, processed, failed} every few seconds, for admin's system page. */
export function startHeartbeat(redis: Redis, prefix: string, id: string, counts: { processed: number; failed: number }, log: Logger, everyMs = 5000): { stop(): Promise<void> } {
  const key = redisKeys(prefix).processors;
  const beat = async () => {
    try {
      await redis.hset(key, id, JSON.stringify({ id, lastSeen: Date.now(), processed: counts.processed, failed: counts.failed }));
    } catch (err) {
      log.warn({ err }, 'heartbeat failed');
    }
  };
  void beat();
  const timer = setInterval(beat, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await beat();
    },
  };
}
