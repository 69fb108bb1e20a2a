import { Redis, type RedisOptions } from 'ioredis';

/**
 * Producer connections fail fast (a command errors at once while disconnected, so callers can spool);
 * worker connections wait forever, as BullMQ requires (CONTRIBUTING.md rule 9).
 */
export function createRedis(url: string, role: 'producer' | 'worker' | 'subscriber' | 'client', extra: RedisOptions = {}): Redis {
  const base: RedisOptions = { lazyConnect: false, connectionName: `llm-relay-${role}` };
  const byRole: Record<typeof role, RedisOptions> = {
    producer: { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: (n) => Math.min(n * 200, 2000) },
    worker: { maxRetriesPerRequest: null, enableReadyCheck: false, retryStrategy: (n) => Math.min(n * 200, 2000) },
    subscriber: { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) },
    client: { maxRetriesPerRequest: 2, retryStrategy: (n) => Math.min(n * 200, 2000) },
  };
  return new Redis(url, { ...base, ...byRole[role], ...extra });
}

/**
 * Check once that Redis answers, with a message that says how to start one. Used at start-up by every
 * service: the relay cannot run without Redis (the queue and the config snapshot live there).
 */
export async function assertRedisReachable(url: string, timeoutMs = 3000): Promise<void> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    throw new Error(
      `Cannot reach Redis at ${url} (${(err as Error).message}).\n` +
        `Start one with:  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n` +
        `or set REDIS_URL to a running Redis (version 6.2 or newer).`,
      { cause: err },
    );
  } finally {
    probe.disconnect();
  }
}
