import { Redis } from 'ioredis';

/**
 * Delete every key under a test's prefix (never FLUSHDB: the Redis is shared by everyone). Takes a URL
 * (a connection of its own, closed after) or a client the caller already holds. Matches `${prefix}:*`:
 * every relay key and BullMQ key has the colon, and without it `test-x-ab` would also take `test-x-abc…`.
 */
export async function deleteRedisPrefix(redis: string | Redis, prefix: string): Promise<void> {
  const conn = typeof redis === 'string' ? new Redis(redis, { lazyConnect: true, maxRetriesPerRequest: 1 }) : redis;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await conn.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await conn.del(...keys);
    } while (cursor !== '0');
  } finally {
    if (conn !== redis) conn.disconnect();
  }
}
