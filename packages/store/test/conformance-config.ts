import { expect, it } from 'vitest';
import { ProviderSchema, SettingsSchema } from '@llm-relay/contracts';
import { ROLLUP_LATENCY_BUCKETS, type RelayKeyRecord, type Rollup } from '../src/port.ts';
import type { StoreCtx } from './conformance.ts';
import { MIN, T0 } from '@llm-relay/testkit';

function rollup(minute: number, dim: Rollup['dim'], value: string, scale = 1): Rollup {
  const latencyBuckets = Array.from({ length: ROLLUP_LATENCY_BUCKETS.length + 1 }, (_, i) => (i === 3 ? 2 * scale : i === 10 ? scale : 0));
  return { minute, dim, value, count: 3 * scale, errors: scale, promptTokens: 100 * scale, completionTokens: 50 * scale, costUsd: 0.25 * scale, latencySumMs: 1200 * scale, latencyBuckets };
}

export function key(id: string, over: Partial<RelayKeyRecord> = {}): RelayKeyRecord {
  return {
    id,
    name: `key ${id}`,
    prefix: `sk-relay-${id}`,
    hash: 'a'.repeat(64),
    status: 'active',
    createdAt: T0,
    expiresAt: null,
    allowedModels: ['gpt-4o*'],
    limits: { rpm: 60 },
    projectId: null,
    budget: null,
    lastUsedAt: null,
    usage: { requests: 0, tokens: 0, costUsd: 0 },
    ...over,
  };
}

export function configConformance(ctx: StoreCtx): void {
  it('adds roll-ups together and queries them by dimension, value and time', async () => {
    await ctx.store.addRollups([rollup(T0, 'model', 'gpt-4o'), rollup(T0, 'all', 'all'), rollup(T0 + MIN, 'model', 'gpt-4o')]);
    await ctx.store.addRollups([rollup(T0, 'model', 'gpt-4o', 2), rollup(T0, 'model', 'claude'), rollup(T0 + 2 * MIN, 'model', 'gpt-4o')]);
    await ctx.store.addRollups([]);
    const rows = await ctx.store.queryRollups({ from: T0, to: T0 + 2 * MIN, dim: 'model' });
    expect(rows).toEqual([rollup(T0, 'model', 'claude'), rollup(T0, 'model', 'gpt-4o', 3), rollup(T0 + MIN, 'model', 'gpt-4o')]);
    expect(await ctx.store.queryRollups({ from: T0, to: T0 + 10 * MIN, dim: 'model', value: 'gpt-4o' })).toEqual([
      rollup(T0, 'model', 'gpt-4o', 3),
      rollup(T0 + MIN, 'model', 'gpt-4o'),
      rollup(T0 + 2 * MIN, 'model', 'gpt-4o'),
    ]);
    expect(await ctx.store.queryRollups({ from: T0, to: T0 + MIN, dim: 'all' })).toEqual([rollup(T0, 'all', 'all')]);
    expect(await ctx.store.queryRollups({ from: T0, to: T0 + MIN, dim: 'key' })).toEqual([]);
  });

  it('keeps one settings document and a config version that only goes up', async () => {
    expect(await ctx.store.getSettings()).toBeNull();
    const s = SettingsSchema.parse({ redactLogs: true, priceOverrides: { 'gpt-4o': { input: 2, output: 8 } } });
    await ctx.store.putSettings(s);
    await ctx.store.putSettings({ ...s, retentionBodyDays: 7 });
    expect(await ctx.store.getSettings()).toEqual({ ...s, retentionBodyDays: 7 });
    const v1 = await ctx.store.bumpConfigVersion();
    const v2 = await ctx.store.bumpConfigVersion();
    expect(v1).toBeGreaterThanOrEqual(1);
    expect(v2).toBe(v1 + 1);
  });

  it('creates, updates, lists and deletes providers', async () => {
    const openai = ProviderSchema.parse({ id: 'openai', name: 'OpenAI', baseUrl: 'https://api.openai.com/v1', apiKeys: ['sk-x'], priority: 1, models: [{ match: 'gpt-*' }] });
    const local = ProviderSchema.parse({ id: 'vllm', name: 'Local', baseUrl: 'http://127.0.0.1:9000/v1', priority: 0, headers: { 'x-a': 'b' } });
    await ctx.store.upsertProvider(openai);
    await ctx.store.upsertProvider(local);
    await ctx.store.upsertProvider({ ...openai, enabled: false });
    expect(await ctx.store.listProviders()).toEqual([local, { ...openai, enabled: false }]);
    expect(await ctx.store.getProvider('openai')).toEqual({ ...openai, enabled: false });
    expect(await ctx.store.deleteProvider('openai')).toBe(true);
    expect(await ctx.store.deleteProvider('openai')).toBe(false);
    expect(await ctx.store.getProvider('openai')).toBeNull();
  });

  it('keeps relay keys and their usage counters', async () => {
    await ctx.store.upsertKey(key('k1'));
    await ctx.store.upsertKey(key('k2', { createdAt: T0 + 1, defaultProvider: 'openai', expiresAt: T0 + 1e9 }));
    await ctx.store.touchKeys([
      { id: 'k1', lastUsedAt: T0 + 500, requests: 2, tokens: 300, costUsd: 0.5 },
      { id: 'k1', lastUsedAt: T0 + 400, requests: 1, tokens: 10, costUsd: 0.25 },
      { id: 'missing', lastUsedAt: T0, requests: 1, tokens: 1, costUsd: 1 },
    ]);
    // an edit made from a stale read keeps the counters touchKeys advanced
    await ctx.store.upsertKey(key('k1', { status: 'disabled', name: 'renamed' }));
    const k1 = await ctx.store.getKey('k1');
    expect(k1).toEqual(key('k1', { status: 'disabled', name: 'renamed', lastUsedAt: T0 + 500, usage: { requests: 3, tokens: 310, costUsd: 0.75 } }));
    expect((await ctx.store.listKeys()).map((k) => k.id)).toEqual(['k1', 'k2']);
    expect(await ctx.store.getKey('k2')).toEqual(key('k2', { createdAt: T0 + 1, defaultProvider: 'openai', expiresAt: T0 + 1e9 }));
    const { defaultProvider: _dropped, ...withoutDefault } = key('k2', { createdAt: T0 + 1, expiresAt: T0 + 1e9 });
    await ctx.store.upsertKey(withoutDefault);
    expect(await ctx.store.getKey('k2')).toEqual(withoutDefault);
    expect(await ctx.store.deleteKey('k2')).toBe(true);
    expect(await ctx.store.deleteKey('k2')).toBe(false);
    expect(await ctx.store.getKey('missing')).toBeNull();
  });

  it('creates, updates and deletes admin users', async () => {
    const admin = { id: 'u1', username: 'admin', passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', role: 'admin' as const, createdAt: T0 };
    const viewer = { id: 'u2', username: 'bob', passwordHash: 'scrypt$x', role: 'viewer' as const, createdAt: T0 + 1 };
    await ctx.store.upsertUser(viewer);
    await ctx.store.upsertUser(admin);
    await ctx.store.upsertUser({ ...viewer, passwordHash: 'scrypt$y' });
    expect(await ctx.store.getUser('bob')).toEqual({ ...viewer, passwordHash: 'scrypt$y' });
    expect((await ctx.store.listUsers()).map((u) => u.username)).toEqual(['admin', 'bob']);
    expect(await ctx.store.deleteUser('bob')).toBe(true);
    expect(await ctx.store.deleteUser('bob')).toBe(false);
    expect(await ctx.store.getUser('bob')).toBeNull();
  });

  it('appends audit entries and lists them newest first', async () => {
    for (let i = 0; i < 5; i++) {
      await ctx.store.addAudit({ id: `a${i}`, at: T0 + i, actor: 'admin', action: 'key.create', target: `k${i}`, ...(i === 0 ? { details: { name: 'x', n: 1 } } : {}) });
    }
    await ctx.store.addAudit({ id: 'a5', at: T0 + 5, actor: 'admin', action: 'login', target: null });
    const newest = await ctx.store.listAudit({ limit: 3 });
    expect(newest.map((e) => e.id)).toEqual(['a5', 'a4', 'a3']);
    expect(newest[0]).toEqual({ id: 'a5', at: T0 + 5, actor: 'admin', action: 'login', target: null });
    const older = await ctx.store.listAudit({ limit: 10, before: T0 + 3 });
    expect(older.map((e) => e.id)).toEqual(['a2', 'a1', 'a0']);
    expect(older[2]?.details).toEqual({ name: 'x', n: 1 });
  });
}
