import type { Redis } from 'ioredis';

/**
 * Failed logins counted per client IP + username in Redis, so every admin replica shares one budget.
 * A success clears the counter; the window starts at the first failure.
 */
export function createLoginLimiter(redis: Redis, keyOf: (ip: string, user: string) => string, max: number, windowSeconds: number) {
  return {
    /** seconds until another attempt is allowed, or 0 */
    async blockedFor(ip: string, username: string): Promise<number> {
      const key = keyOf(ip, username);
      const [count, ttl] = await Promise.all([redis.get(key), redis.ttl(key)]);
      return Number(count ?? 0) >= max ? Math.max(ttl, 1) : 0;
    },
    async failed(ip: string, username: string): Promise<void> {
      const key = keyOf(ip, username);
      await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec();
    },
    async succeeded(ip: string, username: string): Promise<void> {
      await redis.del(keyOf(ip, username));
    },
  };
}
