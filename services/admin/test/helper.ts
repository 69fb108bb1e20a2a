import { basename, join } from 'node:path';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createStore, type Store } from '@llm-relay/store';
import { createLogger, createRedis } from '@llm-relay/server-kit';
import { deleteRedisPrefix, freePort, startProcess, tempDir, uniquePrefix, type RunningProcess, type TempDir } from '@llm-relay/testkit';
import { build } from '../src/app.ts';
import { adminEnvSchema, type AdminEnv } from '../src/env.ts';
import { runInit } from '../src/features/init/run-init.ts';
import { hashPassword } from '../src/features/auth/passwords.ts';

export const JWT_SECRET = 'test-secret-that-is-long-enough-0123456789abcdef';
export const ADMIN = { username: 'root', password: 'root-password-1' };
export const VIEWER = { username: 'watcher', password: 'viewer-password-1' };
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The store a test runs against: a temp SQLite file, or (project "ferretdb") a fresh database on FerretDB/MongoDB. */
export function databaseUrl(dir: string): string {
  const mongo = inject('mongoBaseUri');
  return mongo ? `${mongo}admin_${basename(dir).replace(/[^A-Za-z0-9]/g, '_')}` : `sqlite:${join(dir, 'relay.db')}`;
}

export interface TestContext {
  app: FastifyInstance;
  env: AdminEnv;
  store: Store;
  redis: Redis;
  prefix: string;
  dir: TempDir;
  adminToken: string;
  viewerToken: string;
  close(): Promise<void>;
}

export function testEnv(prefix: string, dir: string, extra: Record<string, string> = {}): AdminEnv {
  return adminEnvSchema.parse({
    REDIS_URL,
    REDIS_PREFIX: prefix,
    DATABASE_URL: databaseUrl(dir),
    LOG_LEVEL: 'silent',
    JWT_SECRET,
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    PROXY_KEY: 'sk-proxy-from-env',
    TARGET_BASE_URL: 'http://127.0.0.1:9/v1',
    TARGET_API_KEY: 'sk-provider-secret-abcd',
    DEFAULT_MODEL: 'gpt-4o-mini',
    WEB_DIST_DIR: join(dir, 'no-web-dist'),
    ...extra,
  });
}

/** The admin app on a temp store and its own Redis prefix, seeded by init, with an admin and a viewer logged in. */
export async function setup(extra: Record<string, string> = {}): Promise<TestContext> {
  const prefix = uniquePrefix('admin');
  const dir = tempDir('admin-test');
  const env = testEnv(prefix, dir.path, extra);
  const store = await createStore(env.DATABASE_URL);
  const redis = createRedis(REDIS_URL, 'client');
  await runInit(env, store, redis, { log: createLogger('test', 'silent') });
  await store.upsertUser({ id: 'viewer-1', username: VIEWER.username, passwordHash: await hashPassword(VIEWER.password), role: 'viewer', createdAt: Date.now() });
  const app = await build({ env, store, redis, jwtSecret: JWT_SECRET, logger: createLogger('admin-test', 'silent') });
  await app.ready();
  const login = async (u: { username: string; password: string }) => {
    const res = await app.inject({ method: 'POST', url: '/admin/login', payload: u });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
    return res.json().token as string;
  };
  const ctx: TestContext = {
    app,
    env,
    store,
    redis,
    prefix,
    dir,
    adminToken: await login(ADMIN),
    viewerToken: await login(VIEWER),
    async close() {
      await app.close();
      await deleteRedisPrefix(redis, prefix);
      await store.close();
      redis.disconnect();
      dir.remove();
    },
  };
  return ctx;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface AdminProcess {
  proc: RunningProcess;
  /** http://127.0.0.1:PORT */
  url: string;
  prefix: string;
  dir: TempDir;
  login(user?: { username: string; password: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real admin process (`services/admin/src/index.ts`) on its own prefix, temp store and free port; it seeds
 * the empty store itself (init on first start). `before` runs with the store URL before the process starts.
 */
export async function startAdmin(label: string, env: Record<string, string> = {}, before?: (databaseUrl: string) => Promise<void>): Promise<AdminProcess> {
  const prefix = uniquePrefix(label);
  const dir = tempDir(`admin-${label}`);
  const dbUrl = databaseUrl(dir.path);
  await before?.(dbUrl);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startProcess({
    name: 'admin',
    script: 'services/admin/src/index.ts',
    env: { REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: dbUrl, NODE_ENV: 'test', ADMIN_PORT: String(port), ADMIN_HOST: '127.0.0.1', JWT_SECRET, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, WEB_DIST_DIR: join(dir.path, 'none'), ...env },
    readyUrl: `${url}/healthz`,
  });
  return {
    proc,
    url,
    prefix,
    dir,
    async login(user = ADMIN) {
      const res = await fetch(`${url}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
      if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
      return (await res.json()).token as string;
    },
    async close() {
      await proc.stop();
      await deleteRedisPrefix(REDIS_URL, prefix);
      dir.remove();
    },
  };
}
