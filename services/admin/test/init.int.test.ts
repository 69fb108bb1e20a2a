import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { createStore } from '@llm-relay/store';
import { createRedis, hashKey, readSnapshot } from '@llm-relay/server-kit';
import { NODE_BIN, REPO_ROOT, tempDir, uniquePrefix, type TempDir } from '@llm-relay/testkit';
import { verifyPassword } from '../src/features/auth/passwords.ts';
import { ENV_KEY_NAME } from '../src/features/init/run-init.ts';
import { databaseUrl, deletePrefix, REDIS_URL } from './helper.ts';

let dir: TempDir;
let prefix: string;
let redis: Redis;
beforeAll(() => {
  dir = tempDir('admin-init');
  prefix = uniquePrefix('init');
  redis = createRedis(REDIS_URL, 'client');
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  dir.remove();
});

/** `node services/admin/src/cli.ts …` as the root orchestrator runs it: a real process. */
function cli(args: string[], env: Record<string, string>) {
  const res = spawnSync(NODE_BIN, [resolve(REPO_ROOT, 'services/admin/src/cli.ts'), ...args], {
    cwd: dir.path,
    env: { PATH: process.env.PATH ?? '', REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl(dir.path), LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: res.status, out: res.stdout + res.stderr };
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

describe('init (the seed\'s run.py --init)', () => {
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
});
