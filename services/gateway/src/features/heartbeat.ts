import { redisKeys } from '@llm-relay/contracts';
import type { GatewayContext } from './proxy/context.ts';

/** Announces this replica in Redis (the admin dashboard lists gateways from it); best effort. */
export function startHeartbeat(ctx: GatewayContext): { stop: () => Promise<void> } {
  const key = redisKeys(ctx.env.REDIS_PREFIX).gateways;
  const id = ctx.env.GATEWAY_ID;
  const beat = () => {
    const status = { id, startedAt: ctx.startedAt, lastSeen: Date.now(), inflight: ctx.inflight, journalBytes: ctx.journal.size, dropped: ctx.sink.dropped };
    ctx.redis.hset(key, id, JSON.stringify(status)).catch(() => undefined);
  };
  beat();
  const timer = setInterval(beat, ctx.env.HEARTBEAT_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await ctx.redis.hdel(key, id).catch(() => undefined);
    },
  };
}
