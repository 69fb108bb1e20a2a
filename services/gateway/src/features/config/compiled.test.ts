import { describe, expect, it } from 'vitest';
import { GatewaySnapshotSchema } from '@llm-relay/contracts';
import { candidatesFor, compileSnapshot, modelAllowed } from './compiled.ts';

const snap = GatewaySnapshotSchema.parse({
  version: 1,
  writtenAt: 0,
  settings: {},
  providers: [
    { id: 'b', name: 'B', baseUrl: 'https://b.example.com', priority: 5, models: [{ match: 'gpt-*' }] },
    { id: 'a', name: 'A', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1/', priority: 1, models: [{ match: 'gpt-4o' }, { match: 'fast', upstreamModel: 'qwen-turbo' }] },
    { id: 'off', name: 'Off', baseUrl: 'https://off.example.com', enabled: false },
    { id: 'c', name: 'Claude', type: 'anthropic', baseUrl: 'https://api.anthropic.com' },
  ],
  keys: [{ id: 'k', prefix: 'sk-relay-abc', name: 'k', hash: 'a'.repeat(64), status: 'active', allowedModels: ['gpt-4o*', 'fast'] }],
});

describe('compiled config', () => {
  const cfg = compileSnapshot(snap);

  it('normalises base URLs the way the SDK takes them', () => {
    expect(cfg.providersById.get('a')).toMatchObject({ origin: 'https://dashscope.aliyuncs.com', basePath: '/compatible-mode/v1' });
    expect(cfg.providersById.get('b')).toMatchObject({ origin: 'https://b.example.com', basePath: '/v1' });
    expect(cfg.providersById.has('off')).toBe(false);
  });

  it('routes by exact name, pattern and alias, in priority order, per provider type', () => {
    expect(candidatesFor(cfg, 'gpt-4o', 'openai').map((c) => [c.provider.id, c.upstreamModel])).toEqual([['a', 'gpt-4o'], ['b', 'gpt-4o']]);
    expect(candidatesFor(cfg, 'gpt-4.1', 'openai').map((c) => c.provider.id)).toEqual(['b']);
    expect(candidatesFor(cfg, 'fast', 'openai').map((c) => c.upstreamModel)).toEqual(['qwen-turbo']);
    expect(candidatesFor(cfg, 'claude-x', 'anthropic').map((c) => c.provider.id)).toEqual(['c']);
    expect(candidatesFor(cfg, 'llama', 'openai')).toEqual([]);
  });

  it('checks allowed models with patterns', () => {
    const key = cfg.keysByHash.get('a'.repeat(64))!;
    expect(modelAllowed(key, 'gpt-4o-mini')).toBe(true);
    expect(modelAllowed(key, 'fast')).toBe(true);
    expect(modelAllowed(key, 'gpt-4.1')).toBe(false);
  });

  it("lists a key's budgets (its own, then its project's) and carries the project on the event's key ref", () => {
    const withBudgets = compileSnapshot(
      GatewaySnapshotSchema.parse({
        ...snap,
        keys: [
          { id: 'k1', prefix: 'sk-relay-1', name: 'ci', hash: '1'.repeat(64), status: 'active', projectId: 'p1', budget: { usd: 5, period: 'day' } },
          { id: 'k2', prefix: 'sk-relay-2', name: 'free', hash: '2'.repeat(64), status: 'active', projectId: 'p2' },
          { id: 'k3', prefix: 'sk-relay-3', name: 'lost', hash: '3'.repeat(64), status: 'active', projectId: 'gone' },
        ],
        projects: [
          { id: 'p1', name: 'Team A', budget: { usd: 100, period: 'month' } },
          { id: 'p2', name: 'No budget' },
        ],
      }),
    );
    const k1 = withBudgets.keysByHash.get('1'.repeat(64))!;
    expect(k1.budgets.map((b) => [b.scope, b.id, b.label, b.budget.usd])).toEqual([
      ['key', 'k1', 'relay key "ci"', 5],
      ['project', 'p1', 'project "Team A"', 100],
    ]);
    expect(k1.ref).toEqual({ id: 'k1', prefix: 'sk-relay-1', name: 'ci', projectId: 'p1' });
    // a project without a budget, or one missing from the snapshot, costs no check
    expect(withBudgets.keysByHash.get('2'.repeat(64))!.budgets).toEqual([]);
    expect(withBudgets.keysByHash.get('3'.repeat(64))!.budgets).toEqual([]);
    expect(cfg.keysByHash.get('a'.repeat(64))!.ref).toEqual({ id: 'k', prefix: 'sk-relay-abc', name: 'k' });
  });
});
