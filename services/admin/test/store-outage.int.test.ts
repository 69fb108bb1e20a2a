/**
 * Admin while its MongoDB store is down (FerretDB of this file's own, SIGKILLed and started again on its data):
 * a read of a user admin has already seen is still authorised (the system page shows the outage), a user it has
 * not seen and any change answer 503 `store_unavailable` (never a Redis error), and all is normal once the
 * store is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createStore, type Store } from '@llm-relay/store';
import { createLogger, createRedis } from '@llm-relay/server-kit';
import { deleteRedisPrefix, startFerretDb, tempDir, uniquePrefix, type RunningFerretDb, type TempDir } from '@llm-relay/testkit';
import { build } from '../src/app.ts';
import { runInit } from '../src/features/init/run-init.ts';
import { ADMIN, JWT_SECRET, REDIS_URL, VIEWER, bearer, testEnv } from './helper.ts';
import { hashPassword } from '../src/features/auth/passwords.ts';

let dir: TempDir;
let ferret: RunningFerretDb;
let store: Store;
let redis: Redis;
let app: FastifyInstance;
const prefix = uniquePrefix('admin-outage');

beforeAll(async () => {
  dir = tempDir('admin-store-outage');
  ferret = await startFerretDb({ dataDir: dir.path });
  const env = testEnv(prefix, dir.path, { DATABASE_URL: `${ferret.uri}relay` });
  // a short server selection: a request that must reach the store gives up in 2 s, not 10
  store = await createStore(env.DATABASE_URL, { serverSelectionTimeoutMS: 2000 });
  redis = createRedis(REDIS_URL, 'client');
  await runInit(env, store, redis, { log: createLogger('test', 'silent') });
  await store.upsertUser({ id: 'viewer-1', username: VIEWER.username, passwordHash: await hashPassword(VIEWER.password), role: 'viewer', createdAt: Date.now() });
  app = await build({ env, store, redis, jwtSecret: JWT_SECRET, logger: createLogger('admin-test', 'silent') });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close().catch(() => undefined);
  await ferret?.stop();
  if (redis) {
    await deleteRedisPrefix(redis, prefix);
    redis.disconnect();
  }
  dir?.remove();
});

const login = async (u: { username: string; password: string }) => (await app.inject({ method: 'POST', url: '/admin/login', payload: u })).json().token as string;

describe('admin while the MongoDB store is down', () => {
  it('reads for a user it has seen go on, changes and unseen users get 503 store_unavailable, and all recovers', async () => {
    const admin = await login(ADMIN);
    const viewer = await login(VIEWER);
    expect((await app.inject({ method: 'GET', url: '/admin/system', headers: bearer(admin) })).statusCode).toBe(200);

    await ferret.kill();
    const t0 = Date.now();
    const system = await app.inject({ method: 'GET', url: '/admin/system', headers: bearer(admin) });
    expect(system.statusCode, system.body).toBe(200);
    expect(Date.now() - t0).toBeLessThan(5000);
    // the viewer's token was never used: admin has no user to fall back on
    const unseen = await app.inject({ method: 'GET', url: '/admin/system', headers: bearer(viewer) });
    expect(unseen.statusCode).toBe(503);
    expect(unseen.json().error.code).toBe('store_unavailable');
    expect(unseen.headers['retry-after']).toBe('5');
    // a change always needs the store, whoever asks
    const create = await app.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(admin), payload: { name: 'during the outage' } });
    expect(create.statusCode).toBe(503);
    expect(create.json().error.code).toBe('store_unavailable');

    ferret = await startFerretDb({ port: ferret.port, dataDir: dir.path });
    const back = async () => (await app.inject({ method: 'POST', url: '/admin/api-keys', headers: bearer(admin), payload: { name: 'after the outage' } })).statusCode;
    let status = await back();
    for (let i = 0; i < 20 && status !== 201; i++) status = await back();
    expect(status).toBe(201);
    expect((await app.inject({ method: 'GET', url: '/admin/system', headers: bearer(viewer) })).statusCode).toBe(200);
  });
});
