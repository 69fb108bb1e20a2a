import type { Redis } from 'ioredis';
import { GatewaySnapshotSchema, SettingsSchema, redisKeys, type GatewayKey, type GatewayProject, type GatewaySnapshot } from '@llm-relay/contracts';
import type { ProjectRecord, RelayKeyRecord, Store } from '@llm-relay/store';
import { publishSnapshot, readSnapshot, type Logger } from '@llm-relay/server-kit';

export type SnapshotContent = Omit<GatewaySnapshot, 'version' | 'writtenAt'>;

/** `projects`: the ids that exist; a key left pointing at a deleted project (see deleteProject) has none */
export function toGatewayKey(k: RelayKeyRecord, projects: ReadonlySet<string>): GatewayKey {
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
    ...(k.projectId && projects.has(k.projectId) ? { projectId: k.projectId } : {}),
    ...(k.budget ? { budget: k.budget } : {}),
  };
}

function toGatewayProject(p: ProjectRecord): GatewayProject {
  return { id: p.id, name: p.name, ...(p.budget ? { budget: p.budget } : {}) };
}

/**
 * What gateways need from the store: settings, the enabled providers, every key by hash (disabled ones marked)
 * with its project and budget, and every project with its budget (budgets are enforced at each gateway).
 */
export async function buildSnapshot(store: Store): Promise<SnapshotContent> {
  const [settings, providers, keys, projects] = await Promise.all([store.getSettings(), store.listProviders(), store.listKeys(), store.listProjects()]);
  const projectIds = new Set(projects.map((p) => p.id));
  return {
    settings: settings ?? SettingsSchema.parse({}),
    providers: providers.filter((p) => p.enabled),
    keys: keys.map((k) => toGatewayKey(k, projectIds)),
    projects: projects.map(toGatewayProject),
  };
}

function comparable(s: SnapshotContent): string {
  const { settings, providers, keys, projects } = GatewaySnapshotSchema.parse({ ...s, version: 0, writtenAt: 0 });
  return JSON.stringify({ settings, providers, keys, projects });
}

export interface SnapshotPublisher {
  /** after a change: new version from the store, written to Redis, gateways notified */
  publish(): Promise<number>;
  /** write the snapshot when Redis lacks it or holds something other than the store says */
  reconcile(): Promise<'published' | 'unchanged'>;
  /**
   * reconcile every `seconds` until stopped; and at once when Redis comes back from an outage or is seen
   * (by a check of a few bytes every second) to have lost the snapshot, so gateways started after an
   * empty restart are configured within about a second, not on the next tick
   */
  start(seconds: number): void;
  stop(): void;
}

const LOSS_CHECK_MS = 1_000;

export function createSnapshotPublisher(store: Store, redis: Redis, prefix: string, log: Logger): SnapshotPublisher {
  let timer: NodeJS.Timeout | null = null;
  let watch: NodeJS.Timeout | null = null;
  let checking = false;
  const keys = redisKeys(prefix);
  // a reconnect is when Redis may come back empty
  const onReady = () => void self.reconcile().catch((err) => log.warn({ err: (err as Error).message }, 'snapshot reconcile after reconnect failed; will retry'));
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
        const [content, current, settingsKept] = await Promise.all([buildSnapshot(store), readSnapshot(redis, prefix).catch(() => null), redis.exists(redisKeys(prefix).settings).catch(() => 0)]);
        if (current && settingsKept && comparable(current) === comparable(content)) return 'unchanged';
        await publishNow();
        log.info({ had: current ? current.version : null }, 'gateway snapshot re-published (missing or stale in Redis)');
        return 'published';
      }),
    start(seconds) {
      if (timer) return;
      const tick = () => void self.reconcile().catch((err) => log.warn({ err: (err as Error).message }, 'snapshot reconcile failed; will retry'));
      timer = setInterval(tick, seconds * 1000);
      timer.unref();
      redis.on('ready', onReady);
      watch = setInterval(() => {
        if (redis.status !== 'ready' || checking) return;
        checking = true;
        redis
          .exists(keys.snapshot, keys.settings)
          .then((n) => {
            if (n < 2) {
              log.warn('the gateway snapshot is gone from Redis (lost its data?): re-publishing now');
              return self.reconcile();
            }
          })
          .catch(() => undefined)
          .finally(() => (checking = false));
      }, LOSS_CHECK_MS);
      watch.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      if (watch) clearInterval(watch);
      redis.off('ready', onReady);
      timer = null;
      watch = null;
    },
  };
  return self;
}
