import type { Redis } from 'ioredis';
import { ConfigWatcher, type Logger } from '@llm-relay/server-kit';
import { GatewaySnapshotSchema, redisKeys } from '@llm-relay/contracts';
import { compileSnapshot, type CompiledConfig } from './compiled.ts';

/** The gateway's configuration: the snapshot admin publishes, compiled for the request path. */
export type SnapshotStore = ConfigWatcher<CompiledConfig>;

/**
 * The shared watcher (reload on notice, poll, keep the last good one while Redis fails) over the
 * gateway snapshot, cached in `cacheFile` so that a gateway starts and serves from the last configuration
 * it saw while Redis is down or has lost its data. The file holds provider API keys: it is written 0600.
 */
export function createSnapshotStore(opts: { redis: Redis; sub: Redis; prefix: string; log: Logger; pollMs: number; cacheFile: string; onChange: (cfg: CompiledConfig) => void }): SnapshotStore {
  const keys = redisKeys(opts.prefix);
  return new ConfigWatcher<CompiledConfig>({
    redis: opts.redis,
    sub: opts.sub,
    key: keys.snapshot,
    channel: keys.snapshotChannel,
    parse: (raw) => compileSnapshot(GatewaySnapshotSchema.parse(JSON.parse(raw))),
    onChange: opts.onChange,
    what: 'config snapshot',
    log: opts.log,
    pollMs: opts.pollMs,
    cacheFile: opts.cacheFile,
  });
}
