import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

// Release the lock only if it is still ours (it may have expired and been taken by another replica).
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Take a replica-wide lock (SET NX PX); the token to release it, or null when another holder has it. */
export async function tryLock(redis: Redis, key: string, ttlMs: number): Promise<string | null> {
  const token = randomBytes(8).toString('hex');
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : null;
}

export async function releaseLock(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, token);
}

/**
 * Run `fn` holding the lock, waiting up to `waitMs` for it. If the wait runs out, `fn` runs anyway: callers
 * use the lock to make a rare race unlikely, not for safety (their writes are idempotent).
 */
export async function withLock<T>(redis: Redis, key: string, opts: { ttlMs: number; waitMs: number }, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + opts.waitMs;
  let token = await tryLock(redis, key, opts.ttlMs);
  while (token === null && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
    token = await tryLock(redis, key, opts.ttlMs);
  }
  try {
    return await fn();
  } finally {
    if (token !== null) await releaseLock(redis, key, token);
  }
}
