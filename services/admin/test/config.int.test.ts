import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSnapshot } from '@llm-relay/server-kit';
import { hashKey } from '@llm-relay/server-kit';
import { redisKeys } from '@llm-relay/contracts';
import { createMockProvider, type MockProvider } from '@llm-relay/mock-provider';
import { waitFor } from '@llm-relay/testkit';
import { ENV_KEY_NAME } from '../src/features/init/run-init.ts';
import { bearer, setup, type TestContext } from './helper.ts';

let ctx: TestContext;
let mock: MockProvider;
beforeAll(async () => {
  [ctx, mock] = await Promise.all([setup(), createMockProvider()]);
});
afterAll(async () => {
  await Promise.all([ctx?.close(), mock?.close()]);
});
const admin = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  ctx.app.inject({ method, url, headers: bearer(ctx.adminToken), ...(payload ? { payload } : {}) });
const snapshot = async () => (await readSnapshot(ctx.redis, ctx.prefix))!;

describe('init seeded the store and the snapshot', () => {
  it('has settings from the environment, the default provider, the PROXY_KEY record and the admin', async () => {
    const snap = await snapshot();
    expect(snap.settings.defaultModel).toBe('gpt-4o-mini');
    expect(snap.providers.map((p) => [p.id, p.baseUrl, p.apiKeys, p.models])).toEqual([['default', 'http://127.0.0.1:9/v1', ['sk-provider-secret-abcd'], [{ match: '*' }]]]);
    expect(snap.keys).toHaveLength(1);
    expect(snap.keys[0]).toMatchObject({ name: ENV_KEY_NAME, hash: hashKey('sk-proxy-from-env'), status: 'active' });
  });
});

describe('settings', () => {
  it('PUT merges, republishes with a higher version, and is audited', async () => {
    const before = await snapshot();
    const res = await admin('PUT', '/admin/settings', { redactLogs: true, httpTimeoutSeconds: 30, priceOverrides: { 'my-model': { input: 1, output: 2 } } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ redactLogs: true, httpTimeoutSeconds: 30, defaultModel: 'gpt-4o-mini' });
    const after = await snapshot();
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.settings).toMatchObject({ redactLogs: true, httpTimeoutSeconds: 30, priceOverrides: { 'my-model': { input: 1, output: 2 } } });
    expect((await admin('GET', '/admin/settings')).json().httpTimeoutSeconds).toBe(30);
    const auditItems = (await admin('GET', '/admin/audit?limit=5')).json().items;
    expect(auditItems[0]).toMatchObject({ actor: 'root', action: 'settings.update' });
    expect(auditItems[0].details.changed).toEqual(expect.arrayContaining(['redactLogs', 'httpTimeoutSeconds']));
  });
  it('refuses a bad value naming the field, and an unknown field, without changing anything', async () => {
    const version = (await snapshot()).version;
    const bad = await admin('PUT', '/admin/settings', { httpMaxRetries: 99 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.param).toBe('httpMaxRetries');
    const bad2 = await admin('PUT', '/admin/settings', { redactTypes: ['email', 'shoe-size'] });
    expect(bad2.json().error.param).toBe('redactTypes.1');
    expect((await admin('PUT', '/admin/settings', { httpTimeout: 5 })).statusCode).toBe(400);
    expect((await snapshot()).version).toBe(version);
  });
});

describe('providers', () => {
  it('creates with a masked key, keeps a key sent back masked, tests the connection and deletes', async () => {
    const created = await admin('POST', '/admin/providers', { name: 'Mock Provider', baseUrl: mock.url.replace(/\/v1$/, ''), apiKeys: ['sk-mock-key-123456789'], models: [{ match: 'mock-*' }] });
    expect(created.statusCode).toBe(201);
    const view = created.json();
    expect(view).toMatchObject({ id: 'mock-provider', baseUrl: mock.url, apiKeys: ['sk-…6789'], apiKeyCount: 1 });
    expect(JSON.stringify((await admin('GET', '/admin/providers')).json())).not.toContain('sk-mock-key-123456789');
    expect((await snapshot()).providers.find((p) => p.id === 'mock-provider')?.apiKeys).toEqual(['sk-mock-key-123456789']);
    expect((await admin('POST', '/admin/providers', { name: 'Mock Provider', baseUrl: mock.url })).statusCode).toBe(409);

    const put = await admin('PUT', '/admin/providers/mock-provider', { apiKeys: ['sk-…6789', 'sk-second-key-00000000'], priority: 5 });
    expect(put.json()).toMatchObject({ apiKeyCount: 2, priority: 5 });
    expect((await ctx.store.getProvider('mock-provider'))!.apiKeys).toEqual(['sk-mock-key-123456789', 'sk-second-key-00000000']);

    const test = await admin('POST', '/admin/providers/mock-provider/test');
    expect(test.json()).toMatchObject({ ok: true, status: 200, error: null });
    expect(test.json().models.length).toBeGreaterThan(0);
    expect(mock.requests.at(-1)).toMatchObject({ path: '/v1/models' });
    expect(JSON.stringify(mock.requests.at(-1))).toContain('sk-mock-key-123456789');

    const failing = await admin('POST', '/admin/providers/default/test');
    expect(failing.json()).toMatchObject({ ok: false, status: null });
    expect(failing.json().error).toBeTruthy();

    const disabled = await admin('PUT', '/admin/providers/mock-provider', { enabled: false });
    expect(disabled.json().enabled).toBe(false);
    expect((await snapshot()).providers.map((p) => p.id)).not.toContain('mock-provider');
    expect((await admin('DELETE', '/admin/providers/mock-provider')).statusCode).toBe(204);
    expect((await admin('GET', '/admin/providers/mock-provider')).statusCode).toBe(404);
  });
  it('refuses an invalid provider naming the field', async () => {
    const res = await admin('POST', '/admin/providers', { name: 'x', baseUrl: 'not a url' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.param).toBe('baseUrl');
  });
});

describe('relay keys', () => {
  it('create shows the secret once; the snapshot has its hash; disable, rotate and delete reach the snapshot', async () => {
    const created = await admin('POST', '/admin/api-keys', { name: 'team a', allowedModels: ['gpt-4o*'], limits: { rpm: 60, concurrency: 2 }, expiresAt: Date.now() + 86_400_000 });
    expect(created.statusCode).toBe(201);
    const { key, secret } = created.json();
    expect(secret).toMatch(/^sk-relay-/);
    expect(key.hash).toBeUndefined();
    expect(secret.startsWith(key.prefix)).toBe(true);
    let gk = (await snapshot()).keys.find((k) => k.id === key.id)!;
    expect(gk).toMatchObject({ hash: hashKey(secret), status: 'active', allowedModels: ['gpt-4o*'], limits: { rpm: 60, concurrency: 2 } });

    const list = (await admin('GET', '/admin/api-keys')).json().items;
    expect(list.find((k: { id: string }) => k.id === key.id)).toMatchObject({ name: 'team a', lastUsedAt: null, usage: { requests: 0 } });
    expect(JSON.stringify(list)).not.toContain(hashKey(secret));

    const patched = await admin('PATCH', `/admin/api-keys/${key.id}`, { status: 'disabled', name: 'team a (off)' });
    expect(patched.json()).toMatchObject({ status: 'disabled', name: 'team a (off)' });
    gk = (await snapshot()).keys.find((k) => k.id === key.id)!;
    expect(gk.status).toBe('disabled');

    const rotated = (await admin('POST', `/admin/api-keys/${key.id}/rotate`)).json();
    expect(rotated.secret).not.toBe(secret);
    const hashes = (await snapshot()).keys.map((k) => k.hash);
    expect(hashes).toContain(hashKey(rotated.secret));
    expect(hashes).not.toContain(hashKey(secret));

    expect((await admin('DELETE', `/admin/api-keys/${key.id}`)).statusCode).toBe(204);
    expect((await snapshot()).keys.map((k) => k.id)).not.toContain(key.id);
    const actions = (await admin('GET', '/admin/audit?limit=10')).json().items.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['key.create', 'key.update', 'key.rotate', 'key.delete']));
  });
  it('validates limits', async () => {
    const res = await admin('POST', '/admin/api-keys', { name: 'x', limits: { rpm: -1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.param).toBe('limits.rpm');
  });
});

describe('the snapshot comes back after Redis loses it', () => {
  it('reconcile re-publishes a missing snapshot and one that differs from the store', async () => {
    await ctx.redis.del(redisKeys(ctx.prefix).snapshot);
    ctx.app.snapshots.start(0.05);
    try {
      const back = await waitFor(() => readSnapshot(ctx.redis, ctx.prefix), { what: 'snapshot re-published' });
      expect(back.keys.length).toBeGreaterThan(0);
      await ctx.redis.set(redisKeys(ctx.prefix).snapshot, JSON.stringify({ ...back, keys: [] }));
      await waitFor(async () => (await snapshot()).keys.length > 0, { what: 'stale snapshot corrected' });
    } finally {
      ctx.app.snapshots.stop();
    }
    expect(await ctx.app.snapshots.reconcile()).toBe('unchanged');
  });
});

describe('users', () => {
  it('creates a viewer who can read logs but not settings; protects the last admin and oneself', async () => {
    const created = await admin('POST', '/admin/users', { username: 'ann', password: 'ann-password', role: 'viewer' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).not.toHaveProperty('passwordHash');
    const login = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: { username: 'ann', password: 'ann-password' } });
    const token = login.json().token;
    expect((await ctx.app.inject({ url: '/admin/logs', headers: bearer(token) })).statusCode).toBe(200);
    expect((await ctx.app.inject({ url: '/admin/settings', headers: bearer(token) })).statusCode).toBe(403);
    expect((await admin('POST', '/admin/users', { username: 'ann', password: 'short', role: 'viewer' })).json().error.param).toBe('password');
    expect((await admin('DELETE', '/admin/users/root')).statusCode).toBe(409);
    expect((await admin('POST', '/admin/users', { username: 'root', password: 'new-root-password', role: 'viewer' })).statusCode).toBe(409);
    expect((await admin('DELETE', '/admin/users/ann')).statusCode).toBe(204);
    // a deleted user's session ends at once
    expect((await ctx.app.inject({ url: '/admin/logs', headers: bearer(token) })).statusCode).toBe(401);
    expect(JSON.stringify((await admin('GET', '/admin/users')).json())).not.toContain('scrypt');
  });
});
