import type { Redis } from 'ioredis';
import { GatewaySnapshotSchema, SettingsSchema, type GatewayKey, type GatewaySnapshot } from '@llm-relay/contracts';
import type { RelayKeyRecord, Store } from '@llm-relay/store';
import { publishSnapshot, readSnapshot, type Logger } from '@llm-relay/server-kit';

export type SnapshotContent = Omit<GatewaySnapshot, 'version' | 'writtenAt'>;

export function toGatewayKey(k: RelayKeyRecord): GatewayKey {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    hash: k.hash,
    status: k.status,
    expiresAt: k.expiresAt,
    allowedModels: k.allowedModels,
    limits: k.limits,
    ...(k.defaultProvider ? { defaultProvider: k.defaultProvider } : {}),
  };
}

/** What gateways need from the store: settings, the enabled providers, every key by hash (disabled ones marked). */
export async function buildSnapshot(store: Store): Promise<SnapshotContent> {
  const [settings, providers, keys] = await Promise.all([store.getSettings(), store.listProviders(), store.listKeys()]);
  return {
    settings: settings ?? SettingsSchema.parse({}),
    providers: providers.filter((p) => p.enabled),
    keys: keys.map(toGatewayKey),
  };
}

function comparable(s: SnapshotContent): string {
  const { settings, providers, keys } = GatewaySnapshotSchema.parse({ ...s, version: 0, writtenAt: 0 });
  return JSON.stringify({ settings, providers, keys });
}

export interface SnapshotPublisher {
  /** after a change: new version from the store, written to Redis, gateways notified */
  publish(): Promise<number>;
  /** write the snapshot when Redis lacks it or holds something other than the store says */
  reconcile(): Promise<'published' | 'unchanged'>;
  /** reconcile every `seconds` until stopped: a restarted Redis (which keeps nothing on disk) gets it back */
  start(seconds: number): void;
  stop(): void;
}

export function createSnapshotPublisher(store: Store, redis: Redis, prefix: string, log: Logger): SnapshotPublisher {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  // one at a time per process, so a tick and a change cannot interleave their writes
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = running.then(fn, fn);
    running = next.catch(() => {});
    return next;
  };
  const publishNow = async (): Promise<number> => {
    const version = await store.bumpConfigVersion();
    const content = await buildSnapshot(store);
    await publishSnapshot(redis, prefix, { ...content, version, writtenAt: Date.now() });
    log.debug({ version }, 'gateway snapshot published');
    return version;
  };
  const self: SnapshotPublisher = {
    publish: () => serial(publishNow),
    reconcile: () =>
      serial(async () => {
        const [content, current] = await Promise.all([buildSnapshot(store), readSnapshot(redis, prefix).catch(() => null)]);
        if (current && comparable(current) === comparable(content)) return 'unchanged';
        await publishNow();
        log.info({ had: current ? current.version : null }, 'gateway snapshot re-published (missing or stale in Redis)');
        return 'published';
      }),
    start(seconds) {
      if (timer) return;
      timer = setInterval(() => {
        self.reconcile().catch((err) => log.warn({ err }, 'snapshot reconcile failed; will retry'));
      }, seconds * 1000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
  return self;
}
