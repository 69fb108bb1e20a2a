/**
 * Queue and Redis names shared by producer (gateway) and consumers (processor, admin).
 * All keys live under one prefix so tests can isolate themselves and so a Redis Cluster
 * deployment can wrap the prefix in a hash tag (`{llmrelay}`) to keep BullMQ's keys on one slot.
 */
export const EXCHANGES_QUEUE = 'exchanges' as const;
export const EXCHANGE_JOB_NAME = 'exchange' as const;

/** One place for the exchange job's options (STYLE.md rule 9). */
export const EXCHANGE_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { count: 50_000 },
} as const;

export const LIVE_STREAM_MAXLEN = 10_000;

export function redisKeys(prefix: string) {
  return {
    /** BullMQ `prefix` option */
    queuePrefix: prefix,
    /** the gateway configuration snapshot (JSON of GatewaySnapshot) */
    snapshot: `${prefix}:config:snapshot`,
    /** pub/sub channel: a new snapshot version was written */
    snapshotChannel: `${prefix}:config:changed`,
    /** stream of stored-log summaries for live views */
    liveStream: `${prefix}:live-logs`,
    /** rate-limit counters: `${rateLimit}:${keyId}:...` */
    rateLimit: `${prefix}:rl`,
    /** gateway replica heartbeats (hash of gatewayId -> JSON status) */
    gateways: `${prefix}:gateways`,
    /** last-used timestamps and usage counters per relay key (hash keyId -> JSON) */
    keyUsage: `${prefix}:key-usage`,
    /** processor replica heartbeats (hash of processorId -> JSON status) */
    processors: `${prefix}:processors`,
  } as const;
}
export type RedisKeys = ReturnType<typeof redisKeys>;
