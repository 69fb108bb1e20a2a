import type { Redis } from 'ioredis';

/**
 * Login attempts counted per client IP + username in Redis, so every admin replica shares one budget.
 * The attempt is counted atomically *before* the password is checked: counting only failures after a slow
 * password hash let parallel guesses all pass the check before the first failure was written. A success
 * clears the counter; the window starts at the first attempt.
 */
export function createLoginLimiter(redis: Redis, keyOf: (ip: string, user: string) => string, max: number, windowSeconds: number) {
  return {
    /** counts one attempt; answers the seconds until another attempt is allowed, or 0 when this one may go on */
    async attempt(ip: string, username: string): Promise<number> {
      const key = keyOf(ip, username);
      // MULTI/EXEC runs the three as one step: no other attempt can read the count in between
      const res = await redis.multi().incr(key).expire(key, windowSeconds, 'NX').ttl(key).exec();
      const count = Number(res?.[0]?.[1] ?? 0);
      const ttl = Number(res?.[2]?.[1] ?? windowSeconds);
      return count > max ? Math.max(ttl, 1) : 0;
    },
    async succeeded(ip: string, username: string): Promise<void> {
      await redis.del(keyOf(ip, username));
    },
  };
}
