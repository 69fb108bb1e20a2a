import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { createStore } from '@llm-relay/store';
import { createLogger, createRedis, hashKey, readSnapshot } from '@llm-relay/server-kit';
import { deleteRedisPrefix, NODE_BIN, REPO_ROOT, tempDir, uniquePrefix, type TempDir } from '@llm-relay/testkit';
import { verifyPassword } from '../src/features/auth/passwords.ts';
import { ENV_KEY_NAME, runInit } from '../src/features/init/run-init.ts';
import { databaseUrl, REDIS_URL, testEnv } from './helper.ts';

let dir: TempDir;
let prefix: string;
let redis: Redis;
beforeAll(() => {
  dir = tempDir('admin-init');
  prefix = uniquePrefix('init');
  redis = createRedis(REDIS_URL, 'client');
});
afterAll(async () => {
  await deleteRedisPrefix(redis, prefix);
  redis.disconnect();
  dir.remove();
});

const CLI = resolve(REPO_ROOT, 'services/admin/src/cli.ts');
const cliEnv = (env: Record<string, string>, at = dir.path, redisPrefix = prefix) => ({
  PATH: process.env.PATH ?? '',
  REDIS_URL,
  REDIS_PREFIX: redisPrefix,
  DATABASE_URL: databaseUrl(at),
  LOG_LEVEL: 'warn',
  ...env,
});

/** `node services/admin/src/cli.ts …` as the root orchestrator runs it: a real process. */
function cli(args: string[], env: Record<string, string>) {
  const res = spawnSync(NODE_BIN, [CLI, ...args], { cwd: dir.path, env: cliEnv(env), encoding: 'utf8', timeout: 30_000 });
  return { code: res.status, out: res.stdout + res.stderr };
}

/** The same, without waiting: several can run at once. */
async function cliAsync(args: string[], env: Record<string, string>, at: string, redisPrefix: string) {
  const child = spawn(NODE_BIN, [CLI, ...args], { cwd: at, env: cliEnv(env, at, redisPrefix), timeout: 30_000 });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

const SEED = {
  PROXY_KEY: 'sk-proxy-your-key',
  TARGET_BASE_URL: 'https://api.openai.com',
  TARGET_API_KEY: 'sk-your-provider-key',
  DEFAULT_MODEL: 'gpt-4o',
  ADMIN_USERNAME: 'admin',
  ADMIN_PASSWORD: 'first-password',
  HTTP_TIMEOUT_SECONDS: '45',
  HTTP_MAX_RETRIES: '2',
  REDACT_LOGS: 'true',
  CAPTURE_MAX_BYTES: '1048576',
  RETENTION_BODY_DAYS: '7',
  RETENTION_META_DAYS: '30',
};

describe('init (seeds the store and the gateway snapshot from the environment)', () => {
  it('--help explains it', () => {
    const r = cli(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.out).toContain('init [--force]');
  });

  it('seeds the store from the environment and writes the gateway snapshot', async () => {
    const r = cli(['init'], SEED);
    expect(r.code, r.out).toBe(0);
    const store = await createStore(databaseUrl(dir.path));
    try {
      expect(await store.getSettings()).toMatchObject({ defaultModel: 'gpt-4o', httpTimeoutSeconds: 45, httpMaxRetries: 2, redactLogs: true, captureMaxBytes: 1048576, retentionBodyDays: 7, retentionMetaDays: 30 });
      expect(await store.getProvider('default')).toMatchObject({ baseUrl: 'https://api.openai.com/v1', apiKeys: ['sk-your-provider-key'], models: [{ match: '*' }] });
      const keys = await store.listKeys();
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatchObject({ name: ENV_KEY_NAME, hash: hashKey('sk-proxy-your-key'), status: 'active' });
      const user = await store.getUser('admin');
      expect(user?.role).toBe('admin');
      expect(user?.passwordHash).toMatch(/^scrypt\$/);
      expect(await verifyPassword('first-password', user!.passwordHash)).toBe(true);
    } finally {
      await store.close();
    }
    const snap = await readSnapshot(redis, prefix);
    expect(snap?.keys[0]?.hash).toBe(hashKey('sk-proxy-your-key'));
    expect(snap?.settings.defaultModel).toBe('gpt-4o');
  });

  it('run again, keeps what is stored; with --force, the environment wins', async () => {
    const changed = { ...SEED, DEFAULT_MODEL: 'gpt-4.1', ADMIN_PASSWORD: 'second-password', PROXY_KEY: 'sk-proxy-new-key' };
    expect(cli(['init'], changed).code).toBe(0);
    let store = await createStore(databaseUrl(dir.path));
    try {
      expect((await store.getSettings())?.defaultModel).toBe('gpt-4o');
      expect(await verifyPassword('first-password', (await store.getUser('admin'))!.passwordHash)).toBe(true);
      // a new PROXY_KEY replaces the environment's record rather than adding a second one
      expect((await store.listKeys()).map((k) => k.hash)).toEqual([hashKey('sk-proxy-new-key')]);
    } finally {
      await store.close();
    }
    expect(cli(['init', '--force'], changed).code).toBe(0);
    store = await createStore(databaseUrl(dir.path));
    try {
      expect((await store.getSettings())?.defaultModel).toBe('gpt-4.1');
      expect(await verifyPassword('second-password', (await store.getUser('admin'))!.passwordHash)).toBe(true);
    } finally {
      await store.close();
    }
    expect((await readSnapshot(redis, prefix))?.settings.defaultModel).toBe('gpt-4.1');
  });

  it('fails with a message naming a bad variable', () => {
    const r = cli(['init'], { ...SEED, HTTP_MAX_RETRIES: '99' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('httpMaxRetries');
  });

  // Two replicas (or the compose init job and an admin) starting on an empty store at the same moment.
  it('two init processes at once on an empty store create each record once', async () => {
    const at = tempDir('admin-init-race');
    const racePrefix = uniquePrefix('init-race');
    try {
      const [a, b] = await Promise.all([cliAsync(['init'], SEED, at.path, racePrefix), cliAsync(['init'], SEED, at.path, racePrefix)]);
      expect(a.code, a.out).toBe(0);
      expect(b.code, b.out).toBe(0);
      const store = await createStore(databaseUrl(at.path));
      try {
        expect((await store.listKeys()).map((k) => k.name)).toEqual([ENV_KEY_NAME]);
        expect((await store.listUsers()).map((u) => u.username)).toEqual(['admin']);
        expect((await store.listProviders()).map((p) => p.id)).toEqual(['default']);
        expect(await store.getSettings()).not.toBeNull();
      } finally {
        await store.close();
      }
      expect((await readSnapshot(redis, racePrefix))?.keys).toHaveLength(1);
    } finally {
      await deleteRedisPrefix(redis, racePrefix);
      at.remove();
    }
  });

  // The same race made certain: both inits read the empty store before either writes.
  it('interleaved inits in one process also agree on every record id', async () => {
    const at = tempDir('admin-init-interleaved');
    const racePrefix = uniquePrefix('init-interleaved');
    const env = testEnv(racePrefix, at.path);
    const [s1, s2] = [await createStore(env.DATABASE_URL), await createStore(env.DATABASE_URL)];
    try {
      await Promise.all([runInit(env, s1, redis, { log: createLogger('test', 'silent') }), runInit(env, s2, redis, { log: createLogger('test', 'silent') })]);
      const keys = await s1.listKeys();
      expect(keys).toHaveLength(1);
      expect(keys[0]!.hash).toBe(hashKey(env.PROXY_KEY!));
      expect(await s1.listUsers()).toHaveLength(1);
      expect(await s1.listProviders()).toHaveLength(1);
    } finally {
      await Promise.all([s1.close(), s2.close()]);
      await deleteRedisPrefix(redis, racePrefix);
      at.remove();
    }
  });
});
