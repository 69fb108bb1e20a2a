import { GatewayHeartbeatSchema, redisKeys } from '@llm-relay/contracts';
import { startHeartbeat as beat } from '@llm-relay/server-kit';
import type { GatewayContext } from './proxy/context.ts';

/** Announces this replica in Redis (the admin dashboard lists gateways from it); best effort. */
export function startHeartbeat(ctx: GatewayContext): { stop: () => Promise<void> } {
  return beat({
    redis: ctx.redis,
    key: redisKeys(ctx.env.REDIS_PREFIX).gateways,
    id: ctx.env.GATEWAY_ID,
    everyMs: ctx.env.HEARTBEAT_MS,
    schema: GatewayHeartbeatSchema,
    status: () => ({ inflight: ctx.inflight, journalBytes: ctx.journal.size, dropped: ctx.sink.dropped, unstored: ctx.journal.unacked }),
    log: ctx.log,
  });
}
