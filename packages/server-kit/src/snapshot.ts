import type { Redis } from 'ioredis';
import { GatewaySnapshotSchema, redisKeys, type GatewaySnapshot } from '@llm-relay/contracts';

/**
 * The gateway configuration snapshot lives in Redis as one JSON string; a change notice on a pub/sub
 * channel carries the new version. Admin (and `init`) write it, every gateway replica reads it.
 */
export async function publishSnapshot(redis: Redis, prefix: string, snapshot: GatewaySnapshot): Promise<void> {
  const keys = redisKeys(prefix);
  const valid = GatewaySnapshotSchema.parse(snapshot);
  await redis.set(keys.snapshot, JSON.stringify(valid));
  await redis.publish(keys.snapshotChannel, String(valid.version));
}

/** Read and validate the snapshot; null when none was written yet. Throws when Redis is unreachable. */
export async function readSnapshot(redis: Redis, prefix: string): Promise<GatewaySnapshot | null> {
  const raw = await redis.get(redisKeys(prefix).snapshot);
  if (raw === null) return null;
  return GatewaySnapshotSchema.parse(JSON.parse(raw));
}
