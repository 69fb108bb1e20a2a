import type { Redis } from 'ioredis';
import { GatewaySnapshotSchema, PublishedSettingsSchema, redisKeys, type GatewaySnapshot, type GatewaySnapshotInput, type PublishedSettings } from '@llm-relay/contracts';

/**
 * The gateway configuration snapshot lives in Redis as one JSON string, and its settings alone under a
 * key of their own (the log processor reads only those: no provider secrets, no keys); a change notice on
 * a pub/sub channel carries the new version. Admin (and `init`) write them, every gateway replica reads
 * the snapshot, every processor the settings.
 */
/** Takes the schema's input shape: fields added later (`projects`) default when a writer leaves them out. */
export async function publishSnapshot(redis: Redis, prefix: string, snapshot: GatewaySnapshotInput): Promise<void> {
  const keys = redisKeys(prefix);
  const valid = GatewaySnapshotSchema.parse(snapshot);
  const settings: PublishedSettings = { version: valid.version, writtenAt: valid.writtenAt, settings: valid.settings };
  await redis.multi().set(keys.snapshot, JSON.stringify(valid)).set(keys.settings, JSON.stringify(settings)).exec();
  await redis.publish(keys.snapshotChannel, String(valid.version));
}

/** Read and validate the snapshot; null when none was written yet. Throws when Redis is unreachable. */
export async function readSnapshot(redis: Redis, prefix: string): Promise<GatewaySnapshot | null> {
  const raw = await redis.get(redisKeys(prefix).snapshot);
  if (raw === null) return null;
  return GatewaySnapshotSchema.parse(JSON.parse(raw));
}

/** Read and validate the published settings; null when none were written yet. */
export async function readSettings(redis: Redis, prefix: string): Promise<PublishedSettings | null> {
  const raw = await redis.get(redisKeys(prefix).settings);
  if (raw === null) return null;
  return PublishedSettingsSchema.parse(JSON.parse(raw));
}
