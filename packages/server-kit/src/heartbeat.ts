import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Heartbeat } from '@llm-relay/contracts';

export interface HeartbeatOptions<T extends Heartbeat> {
  redis: Redis;
  /** the hash of this kind of replica: `redisKeys(prefix).gateways` or `.processors` */
  key: string;
  id: string;
  everyMs: number;
  /** the kind's schema (GatewayHeartbeatSchema, ProcessorHeartbeatSchema): each beat is checked before it is written */
  schema: { parse(v: unknown): T };
  /** the replica's figures at the moment of the beat */
  status: () => Omit<T, keyof Heartbeat>;
  log: Logger;
}

/**
 * Announce a replica in Redis for admin's system page: `HSET key id <JSON>` every `everyMs`; `stop()` removes
 * the field, so a replica that stops gracefully disappears at once and one that dies shows as stale after two
 * missed beats. Best effort: a failed beat is logged once per outage, never thrown.
 */
export function startHeartbeat<T extends Heartbeat>(opts: HeartbeatOptions<T>): { stop(): Promise<void> } {
  const startedAt = Date.now();
  let failing = false;
  let stopped = false;
  const beat = async () => {
    const json = JSON.stringify(opts.schema.parse({ ...opts.status(), id: opts.id, startedAt, lastSeen: Date.now(), everyMs: opts.everyMs }));
    try {
      await opts.redis.hset(opts.key, opts.id, json);
      // a beat that lands after stop() (it was in flight) must not bring the replica back
      if (stopped) await opts.redis.hdel(opts.key, opts.id);
      if (failing) opts.log.info('heartbeat written again');
      failing = false;
    } catch (err) {
      if (!failing) opts.log.warn({ err: (err as Error).message }, 'heartbeat failed; retrying every beat');
      failing = true;
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), opts.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      try {
        await opts.redis.hdel(opts.key, opts.id);
      } catch (err) {
        opts.log.warn({ err: (err as Error).message }, 'could not deregister: this replica shows as stale on the system page');
      }
    },
  };
}
