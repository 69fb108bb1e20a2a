import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { normalizeBaseUrl, SettingsSchema, type Provider, type Settings } from '@llm-relay/contracts';
import type { AdminUser, RelayKeyRecord, Store } from '@llm-relay/store';
import { displayPrefix, hashKey, createLogger, type Logger } from '@llm-relay/server-kit';
import type { AdminEnv } from '../../env.ts';
import { hashPassword } from '../auth/passwords.ts';
import { createSnapshotPublisher } from '../snapshot/build-snapshot.ts';

export const ENV_KEY_NAME = 'PROXY_KEY from environment';
export const DEFAULT_PROVIDER_ID = 'default';

/**
 * Ids of the records init seeds follow from what they are made of, never from the clock: two inits racing on
 * an empty store (replicas starting together, the compose init job and an admin) then upsert the same
 * records instead of adding one each, with no lock that a Redis outage could break. UUID-shaped (version 8).
 */
export function seededId(kind: 'relay-key' | 'user', source: string): string {
  const h = createHash('sha256').update(`llm-relay:init:${kind}:${source}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * MongoDB and FerretDB may refuse one of two simultaneous upserts that both insert a new _id (E11000); by then
 * the document exists, so the same write once more updates it. SQLite never raises this.
 */
async function upsertRacing(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    if (e.code !== 11000 && !String(e.message).includes('E11000')) throw err;
    await write();
  }
}

export interface InitResult {
  seeded: string[];
  skipped: string[];
  version: number;
}

/** Settings as the original Python LLM Relay's environment variables describe them; unset ones take the schema's defaults. */
export function settingsFromEnv(env: AdminEnv): Settings {
  const raw: Record<string, unknown> = {};
  if (env.DEFAULT_MODEL) raw.defaultModel = env.DEFAULT_MODEL;
  if (env.HTTP_TIMEOUT_SECONDS !== undefined) raw.httpTimeoutSeconds = env.HTTP_TIMEOUT_SECONDS;
  if (env.HTTP_MAX_RETRIES !== undefined) raw.httpMaxRetries = env.HTTP_MAX_RETRIES;
  if (env.REDACT_LOGS !== undefined) raw.redactLogs = env.REDACT_LOGS;
  if (env.CAPTURE_MAX_BYTES !== undefined) raw.captureMaxBytes = env.CAPTURE_MAX_BYTES;
  if (env.RETENTION_BODY_DAYS !== undefined) raw.retentionBodyDays = env.RETENTION_BODY_DAYS;
  if (env.RETENTION_META_DAYS !== undefined) raw.retentionMetaDays = env.RETENTION_META_DAYS;
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`init: the environment gives an invalid setting ${i.path.join('.')}: ${i.message}`);
  }
  return parsed.data;
}

/**
 * Like `--init` of the original Python LLM Relay: seed the store from the environment, then write the gateway snapshot.
 * Without `force` only what is missing is created (settings, the "default" provider, the PROXY_KEY record,
 * the first admin user), so it is safe on every start; with `force` the environment overwrites them.
 */
export async function runInit(env: AdminEnv, store: Store, redis: Redis, opts: { force?: boolean; log?: Logger } = {}): Promise<InitResult> {
  const log = opts.log ?? createLogger('admin-init', env.LOG_LEVEL);
  const force = opts.force ?? false;
  const seeded: string[] = [];
  const skipped: string[] = [];
  // validated even when not written, so a bad variable is reported on every run
  const settings = settingsFromEnv(env);

  if (force || !(await store.getSettings())) {
    await upsertRacing(() => store.putSettings(settings));
    seeded.push('settings');
  } else skipped.push('settings (already stored)');

  if (env.TARGET_BASE_URL) {
    const existing = await store.getProvider(DEFAULT_PROVIDER_ID);
    if (force || (!existing && (await store.listProviders()).length === 0)) {
      const provider: Provider = {
        id: DEFAULT_PROVIDER_ID,
        name: 'default',
        type: 'openai',
        baseUrl: normalizeBaseUrl(env.TARGET_BASE_URL),
        apiKeys: env.TARGET_API_KEY ? [env.TARGET_API_KEY] : [],
        headers: existing?.headers ?? {},
        models: [{ match: '*' }],
        priority: existing?.priority ?? 0,
        enabled: true,
        injectStreamUsage: existing?.injectStreamUsage ?? true,
      };
      await upsertRacing(() => store.upsertProvider(provider));
      seeded.push('provider "default"');
    } else skipped.push('provider (providers already stored)');
  } else skipped.push('provider (TARGET_BASE_URL is not set)');

  if (env.PROXY_KEY) {
    const hash = hashKey(env.PROXY_KEY);
    const keys = await store.listKeys();
    const same = keys.find((k) => k.hash === hash);
    const previous = keys.find((k) => k.name === ENV_KEY_NAME);
    if (same) skipped.push('relay key (PROXY_KEY already stored)');
    else {
      // a changed PROXY_KEY replaces the record the environment made before, under the same id
      const key: RelayKeyRecord = {
        id: previous?.id ?? seededId('relay-key', hash),
        name: ENV_KEY_NAME,
        prefix: displayPrefix(env.PROXY_KEY),
        hash,
        status: 'active',
        createdAt: previous?.createdAt ?? Date.now(),
        expiresAt: null,
        allowedModels: [],
        limits: {},
        projectId: previous?.projectId ?? null,
        budget: previous?.budget ?? null,
        lastUsedAt: previous?.lastUsedAt ?? null,
        usage: previous?.usage ?? { requests: 0, tokens: 0, costUsd: 0 },
      };
      await upsertRacing(() => store.upsertKey(key));
      seeded.push('relay key from PROXY_KEY');
    }
  } else skipped.push('relay key (PROXY_KEY is not set)');

  const users = await store.listUsers();
  if (env.ADMIN_PASSWORD && (force || users.length === 0)) {
    const existing = users.find((u) => u.username === env.ADMIN_USERNAME);
    const user: AdminUser = {
      id: existing?.id ?? seededId('user', env.ADMIN_USERNAME),
      username: env.ADMIN_USERNAME,
      passwordHash: await hashPassword(env.ADMIN_PASSWORD),
      role: 'admin',
      createdAt: existing?.createdAt ?? Date.now(),
    };
    await upsertRacing(() => store.upsertUser(user));
    seeded.push(`admin user "${env.ADMIN_USERNAME}"`);
  } else if (users.length === 0) {
    log.warn('no admin user exists and ADMIN_PASSWORD is not set: set it and run `init` to be able to log in');
    skipped.push('admin user (ADMIN_PASSWORD is not set)');
  } else skipped.push('admin user (users already stored)');

  const version = await createSnapshotPublisher(store, redis, env.REDIS_PREFIX, log).publish();
  log.info({ seeded, skipped, version }, 'init done');
  return { seeded, skipped, version };
}

/** Admin's own start seeds only a store that has never been initialised. */
export async function storeIsEmpty(store: Store): Promise<boolean> {
  const [settings, users] = await Promise.all([store.getSettings(), store.listUsers()]);
  return settings === null && users.length === 0;
}
