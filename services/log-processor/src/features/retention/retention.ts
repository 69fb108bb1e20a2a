import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Settings } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';
import type { Metrics } from '../ops/metrics.ts';
import { releaseLock, tryLock } from '../ops/redis-lock.ts';
import { expirePendingScores } from '../feedback/scores.ts';

const DAY = 86_400_000;

export interface RetentionDeps {
  store: Store;
  redis: Redis;
  prefix: string;
  settings: () => Settings;
  metrics: Metrics;
  log: Logger;
  batchSize: number;
}

/**
 * One retention pass, if this replica wins the Redis lock. The store deletes in small batches and yields
 * between them, so ingestion keeps running. A window of 0 days means "keep forever".
 */
export async function runRetentionOnce(deps: RetentionDeps, now = Date.now()): Promise<{ ran: boolean; bodiesCleared: number; logsDeleted: number }> {
  const s = deps.settings();
  if (s.retentionBodyDays === 0 && s.retentionMetaDays === 0) return { ran: false, bodiesCleared: 0, logsDeleted: 0 };
  const lockKey = `${deps.prefix}:processor:retention-lock`;
  const token = await tryLock(deps.redis, lockKey, 10 * 60_000);
  if (token === null) return { ran: false, bodiesCleared: 0, logsDeleted: 0 };
  try {
    const r = await deps.store.applyRetention({
      bodiesBefore: s.retentionBodyDays > 0 ? now - s.retentionBodyDays * DAY : 0,
      metaBefore: s.retentionMetaDays > 0 ? now - s.retentionMetaDays * DAY : 0,
      batchSize: deps.batchSize,
    });
    deps.metrics.retention.inc({ kind: 'bodies_cleared' }, r.bodiesCleared);
    deps.metrics.retention.inc({ kind: 'logs_deleted' }, r.logsDeleted);
    if (r.bodiesCleared || r.logsDeleted) deps.log.info(r, 'retention applied');
    return { ran: true, ...r };
  } finally {
    await releaseLock(deps.redis, lockKey, token);
  }
}

/** Run retention every `intervalMs`, never overlapping with itself. */
export function scheduleRetention(deps: RetentionDeps, intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = Promise.all([runRetentionOnce(deps), expirePendingScores(deps)])
      .catch((err) => deps.log.warn({ err }, 'retention pass failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
