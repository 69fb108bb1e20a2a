import { expect, it } from 'vitest';
import type { LogFilter, LogListItem, StoredLog } from '@llm-relay/contracts';
import { toListItem } from '../src/shared.ts';
import type { StoreCtx } from './conformance.ts';
import { DAY, T0, asRead, makeLog } from '@llm-relay/testkit';

async function allIds(ctx: StoreCtx, filter: LogFilter): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of ctx.store.iterateLogs(filter, { batchSize: 7 })) ids.push(item.id);
  return ids;
}

const newestFirst = (logs: StoredLog[]) => logs.map((l) => l.id).sort().reverse();

export function logConformance(ctx: StoreCtx): void {
  it('stores each id once: redelivered and repeated ids are skipped', async () => {
    const [a, b, c] = [makeLog(), makeLog(), makeLog()];
    expect(await ctx.store.insertLogs([a!, b!])).toEqual([a!.id, b!.id]);
    expect(await ctx.store.insertLogs([a!, c!, c!])).toEqual([c!.id]);
    expect(await ctx.store.insertLogs([])).toEqual([]);
    expect(await ctx.store.countLogs({})).toBe(3);
  });

  it('reads back a whole log and its list view', async () => {
    const log = makeLog({ stream: true, response: { ...makeLog().response, rawStream: 'data: {}\n\ndata: [DONE]\n\n' } });
    const bare = makeLog({ key: null, model: null, provider: null, error: 'boom', searchText: undefined });
    delete bare.searchText;
    await ctx.store.insertLogs([log, bare]);
    expect(await ctx.store.getLog(log.id)).toEqual(asRead(log));
    expect(await ctx.store.getLog(bare.id)).toEqual(asRead(bare));
    expect(await ctx.store.getLog('no-such-id')).toBeNull();
    const page = await ctx.store.listLogs({}, { limit: 10 });
    expect(page.items).toEqual([toListItem(bare), toListItem(log)]);
    expect(page.nextCursor).toBeNull();
  });

  it('filters by each field alone and combined', async () => {
    const base = makeLog();
    const logs = [
      base,
      makeLog({ model: 'claude-3-5-sonnet', provider: 'anthropic', route: 'messages' }),
      makeLog({ key: { id: 'key-b', prefix: 'sk-relay-bbbb', name: 'team b' }, stream: true }),
      makeLog({ status: 429, outcome: 'upstream_error', error: 'rate limited' }),
      makeLog({ status: 200, outcome: 'client_abort', incomplete: true, stream: true, model: 'claude-3-5-sonnet' }),
      makeLog({ route: 'embeddings', model: 'text-embedding-3-small', createdAt: T0 + DAY }),
    ];
    await ctx.store.insertLogs(logs);
    const ids = (pick: (l: StoredLog) => boolean) => newestFirst(logs.filter(pick));
    const cases: [LogFilter, (l: StoredLog) => boolean][] = [
      [{ model: 'claude-3-5-sonnet' }, (l) => l.model === 'claude-3-5-sonnet'],
      [{ provider: 'anthropic' }, (l) => l.provider === 'anthropic'],
      [{ keyId: 'key-b' }, (l) => l.key?.id === 'key-b'],
      [{ status: 429 }, (l) => l.status === 429],
      [{ outcome: 'client_abort' }, (l) => l.outcome === 'client_abort'],
      [{ route: 'embeddings' }, (l) => l.route === 'embeddings'],
      [{ stream: true }, (l) => l.stream],
      [{ stream: false }, (l) => !l.stream],
      [{ errorsOnly: true }, (l) => l.outcome !== 'ok' || l.status >= 400],
      [{ from: T0 + DAY }, (l) => l.createdAt >= T0 + DAY],
      [{ to: T0 + DAY }, (l) => l.createdAt < T0 + DAY],
      [{ from: logs[1]!.createdAt, to: logs[4]!.createdAt }, (l) => l.createdAt >= logs[1]!.createdAt && l.createdAt < logs[4]!.createdAt],
      [{ model: 'claude-3-5-sonnet', stream: true }, (l) => l.model === 'claude-3-5-sonnet' && l.stream],
      [{ keyId: 'key-a', errorsOnly: true, to: T0 + DAY }, (l) => l.key?.id === 'key-a' && l.outcome !== 'ok' && l.createdAt < T0 + DAY],
      [{ model: 'nothing-like-this' }, () => false],
    ];
    for (const [filter, pick] of cases) {
      const expected = ids(pick);
      expect((await ctx.store.listLogs(filter, { limit: 50 })).items.map((i) => i.id), JSON.stringify(filter)).toEqual(expected);
      expect(await ctx.store.countLogs(filter), JSON.stringify(filter)).toBe(expected.length);
    }
  });

  it('finds logs by words in Chinese and English prompts and answers', async () => {
    const zh = makeLog({ searchText: '请问今天北京的天气怎么样？\n北京今天晴，最高气温二十五度。' });
    const en = makeLog({ searchText: 'Explain Quantum entanglement simply\nTwo particles share one state.' });
    const both = makeLog({ searchText: 'Translate 天气预报 into English\nweather forecast' });
    const previewsOnly = makeLog({ requestPreview: 'Summarise the Kubernetes incident', responsePreview: '集群已恢复' });
    delete previewsOnly.searchText;
    await ctx.store.insertLogs([zh, en, both, previewsOnly]);
    const found = async (q: string) => (await ctx.store.listLogs({ q }, { limit: 10 })).items.map((i) => i.id);
    expect(await found('北京的天气')).toEqual([zh.id]);
    expect(await found('天气')).toEqual([both.id, zh.id]);
    expect(await found('quantum')).toEqual([en.id]);
    expect(await found('ENTANGLEMENT')).toEqual([en.id]);
    expect(await found('particles state')).toEqual([en.id]);
    expect(await found('"weather forecast"')).toEqual([both.id]);
    expect(await found('weather 天气')).toEqual([both.id]);
    expect(await found('kubernetes')).toEqual([previewsOnly.id]);
    expect(await found('集群')).toEqual([previewsOnly.id]);
    expect(await found('quantum 北京')).toEqual([]);
    expect(await found('no-such-word-anywhere')).toEqual([]);
    expect(await ctx.store.countLogs({ q: '天气', model: 'gpt-4o-mini' })).toBe(2);
    // exports run the search once for all their batches; leaving one early must not break the next
    for await (const first of ctx.store.iterateLogs({ q: '天气' }, { batchSize: 1 })) {
      expect(first.id).toBe(both.id);
      break;
    }
    expect(await allIds(ctx, { q: '天气' })).toEqual([both.id, zh.id]);
    expect(await allIds(ctx, { q: 'weather 天气' })).toEqual([both.id]);
  });

  it('pages newest first by cursor without gaps or duplicates', async () => {
    const logs = Array.from({ length: 57 }, (_, i) => makeLog({ model: i % 3 === 0 ? 'm3' : 'other' }));
    // insertion order must not matter: ids carry the time
    await ctx.store.insertLogs([...logs].reverse().slice(0, 30));
    await ctx.store.insertLogs([...logs].reverse().slice(30));
    for (const filter of [{}, { model: 'm3' }] as LogFilter[]) {
      const seen: LogListItem[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: LogListItem[]; nextCursor: string | null } = await ctx.store.listLogs(filter, { limit: 10, cursor });
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      const expected = newestFirst(logs.filter((l) => !filter.model || l.model === filter.model));
      expect(seen.map((i) => i.id)).toEqual(expected);
      expect(seen.every((i, k) => k === 0 || i.createdAt <= seen[k - 1]!.createdAt)).toBe(true);
    }
    const exact = await ctx.store.listLogs({ model: 'm3' }, { limit: 19 });
    expect(exact.items).toHaveLength(19);
    expect(exact.nextCursor).toBeNull();
  });

  it('iterates 10,000 logs newest first, list items or whole logs', async () => {
    const logs = Array.from({ length: 10_000 }, (_, i) => makeLog({ createdAt: T0 + i * 10, status: i % 10 === 0 ? 500 : 200 }));
    for (let i = 0; i < logs.length; i += 1000) await ctx.store.insertLogs(logs.slice(i, i + 1000));
    let count = 0;
    let prev = 'g';
    for await (const item of ctx.store.iterateLogs({}, { batchSize: 500 })) {
      expect(item.id < prev).toBe(true);
      expect('request' in item).toBe(false);
      prev = item.id;
      count++;
    }
    expect(count).toBe(10_000);
    const full: StoredLog[] = [];
    for await (const item of ctx.store.iterateLogs({ status: 500, from: T0 + 90_000 }, { full: true, batchSize: 3 })) full.push(item as StoredLog);
    const expected = logs.filter((l) => l.status === 500 && l.createdAt >= T0 + 90_000);
    expect(full.map((l) => l.id)).toEqual(newestFirst(expected));
    expect(full[0]).toEqual(asRead(expected[expected.length - 1]!));
    expect(await allIds(ctx, { status: 500, to: T0 + 1000 })).toEqual(newestFirst(logs.slice(0, 100).filter((l) => l.status === 500)));
    // FerretDB v1 sorts in its own process for every query; a busy 2-core machine needs the headroom
  }, 300_000);

  it('retention drops bodies after one window and whole logs after another', async () => {
    const ancient = makeLog({ createdAt: T0 - 100 * DAY, searchText: 'ancient secret prompt' });
    const old = makeLog({ createdAt: T0 - 40 * DAY, searchText: 'old secret prompt', requestPreview: 'old preview' });
    const recent = makeLog({ createdAt: T0 - DAY, searchText: 'recent secret prompt' });
    await ctx.store.insertLogs([ancient, old, recent]);
    const res = await ctx.store.applyRetention({ bodiesBefore: T0 - 30 * DAY, metaBefore: T0 - 90 * DAY, batchSize: 1 });
    expect(res).toEqual({ bodiesCleared: 1, logsDeleted: 1 });
    expect(await ctx.store.getLog(ancient.id)).toBeNull();
    const trimmed = await ctx.store.getLog(old.id);
    expect(trimmed?.bodiesExpired).toBe(true);
    expect(trimmed?.request.body ?? null).toBeNull();
    expect(trimmed?.response.body ?? null).toBeNull();
    expect(trimmed?.usage).toEqual(old.usage);
    expect(trimmed?.requestPreview).toBe('old preview');
    expect(await ctx.store.getLog(recent.id)).toEqual(asRead(recent));
    // the prompt text went with the bodies; the preview stays searchable
    expect((await ctx.store.listLogs({ q: 'secret' }, { limit: 10 })).items.map((i) => i.id)).toEqual([recent.id]);
    expect((await ctx.store.listLogs({ q: 'old preview' }, { limit: 10 })).items.map((i) => i.id)).toEqual([old.id]);
    expect(await ctx.store.applyRetention({ bodiesBefore: T0 - 30 * DAY, metaBefore: T0 - 90 * DAY })).toEqual({ bodiesCleared: 0, logsDeleted: 0 });
  });

  it('recomputes costs for the logs a filter selects', async () => {
    const a = makeLog({ model: 'gpt-4o' });
    const b = makeLog({ model: 'gpt-4o' });
    const c = makeLog({ model: 'gpt-4o-mini' });
    await ctx.store.insertLogs([a, b, c]);
    const price = { model: 'gpt-4o', input: 2.5, output: 10, source: 'override' as const };
    const n = await ctx.store.updateCosts({ model: 'gpt-4o' }, (log) => ({
      usd: ((log.usage.prompt ?? 0) * price.input + (log.usage.completion ?? 0) * price.output) / 1e6,
      price,
    }));
    expect(n).toBe(2);
    expect((await ctx.store.getLog(a.id))?.cost).toEqual({ usd: (12 * 2.5 + 30 * 10) / 1e6, price });
    expect((await ctx.store.listLogs({ model: 'gpt-4o' }, { limit: 5 })).items.map((i) => i.cost.price?.source)).toEqual(['override', 'override']);
    expect((await ctx.store.getLog(c.id))?.cost).toEqual(c.cost);
  });
}
