import { expect, it } from 'vitest';
import type { LogFilter, StoredLog } from '@llm-relay/contracts';
import { toListItem } from '../src/shared.ts';
import type { StoreCtx } from './conformance.ts';
import { MIN, T0, asRead, makeLog } from '@llm-relay/testkit';
import { testRollupsFor } from './conformance-rollups.ts';

const newestFirst = (logs: StoredLog[]) => logs.map((l) => l.id).sort().reverse();
const prompt = (family: string, version: string) => ({ familyId: family, versionId: version, familyName: `name of ${family}`, versionLabel: 'v1', source: 'detected' as const });

async function ids(ctx: StoreCtx, filter: LogFilter): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  // small pages, so the filters are checked across the keyset cursor too
  do {
    const page = await ctx.store.listLogs(filter, { limit: 2, cursor });
    out.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

export function attributionConformance(ctx: StoreCtx): void {
  it('keeps attribution, the prompt ref and scores, in the detail and the list view', async () => {
    const log = makeLog({
      attribution: { user: 'u-1', session: 's-1', tags: ['beta', 'search'], properties: { team: 'core', 'ab-test': 'b' } },
      prompt: { ...prompt('fam-1', 'ver-1'), source: 'explicit', versionLabel: '2024-06' },
      scores: { score: { value: 0.5, at: T0, by: 'key', comment: 'meh' } },
    });
    const bare = makeLog();
    delete bare.attribution;
    delete bare.prompt;
    delete bare.scores;
    await ctx.store.insertLogs([log, bare]);
    expect(await ctx.store.getLog(log.id)).toEqual(asRead(log));
    // a log without attribution reads as having none: always present, empty
    expect(await ctx.store.getLog(bare.id)).toMatchObject({ attribution: { user: null, session: null, tags: [], properties: {} }, prompt: null, scores: {} });
    const page = await ctx.store.listLogs({}, { limit: 10 });
    expect(page.items).toEqual([toListItem(bare), toListItem(log)]);
  });

  it('filters by user, session, tag, prompt, prompt version, properties and scores, also across pages', async () => {
    const a = { user: null, session: null, tags: [] as string[], properties: {} as Record<string, string> };
    const logs = [
      makeLog({ attribution: { ...a, user: 'alice', session: 's-1', tags: ['beta'], properties: { team: 'core' } }, prompt: prompt('f-1', 'v-1') }),
      makeLog({ attribution: { ...a, user: 'alice', session: 's-1', tags: ['beta', 'search'] }, prompt: prompt('f-1', 'v-2') }),
      makeLog({ attribution: { ...a, user: 'bob', session: 's-2', properties: { team: 'core', region: 'eu' } }, prompt: prompt('f-2', 'v-3') }),
      makeLog({ attribution: { ...a, user: 'bob', tags: ['search'], properties: { team: 'growth' } }, scores: { score: { value: 0.9, at: T0, by: 'key' } } }),
      makeLog({ scores: { score: { value: 0.2, at: T0, by: 'admin' }, helpful: { value: 1, at: T0, by: 'key' } } }),
      makeLog(),
    ];
    await ctx.store.insertLogs(logs);
    const expectIds = async (filter: LogFilter, pick: (l: StoredLog) => boolean) => {
      expect(await ids(ctx, filter), JSON.stringify(filter)).toEqual(newestFirst(logs.filter(pick)));
      expect(await ctx.store.countLogs(filter), JSON.stringify(filter)).toBe(logs.filter(pick).length);
    };
    await expectIds({ user: 'alice' }, (l) => l.attribution?.user === 'alice');
    await expectIds({ session: 's-1' }, (l) => l.attribution?.session === 's-1');
    await expectIds({ tag: 'search' }, (l) => l.attribution?.tags.includes('search') === true);
    await expectIds({ tag: 'beta', user: 'alice' }, (l) => l.attribution?.tags.includes('beta') === true);
    await expectIds({ prompt: 'f-1' }, (l) => l.prompt?.familyId === 'f-1');
    await expectIds({ promptVersion: 'v-3' }, (l) => l.prompt?.versionId === 'v-3');
    await expectIds({ properties: { team: 'core' } }, (l) => l.attribution?.properties.team === 'core');
    await expectIds({ properties: { team: 'core', region: 'eu' } }, (l) => l.attribution?.properties.region === 'eu');
    await expectIds({ properties: { team: 'nobody' } }, () => false);
    await expectIds({ scored: true }, (l) => Object.keys(l.scores ?? {}).length > 0);
    await expectIds({ scored: false }, (l) => Object.keys(l.scores ?? {}).length === 0);
    await expectIds({ scores: { score: { min: 0.5 } } }, (l) => (l.scores?.score?.value ?? -1) >= 0.5);
    await expectIds({ scores: { score: { max: 0.5 } } }, (l) => l.scores?.score !== undefined && l.scores.score.value <= 0.5);
    await expectIds({ scores: { score: { min: 0.1, max: 0.3 }, helpful: { min: 1 } } }, (l) => l.scores?.helpful !== undefined);
    await expectIds({ scores: { helpful: {} } }, (l) => l.scores?.helpful !== undefined);
  });

  it('keeps sessions: first and last activity, count, users, tokens, cost, errors; each stored log once', async () => {
    const s = (session: string, user: string | null, over: Partial<StoredLog> = {}) =>
      makeLog({ attribution: { user, session, tags: [], properties: {} }, ...over });
    const s1 = [s('s-1', 'alice', { createdAt: T0 + MIN }), s('s-1', 'bob', { createdAt: T0 + 3 * MIN, status: 500, outcome: 'upstream_error' }), s('s-1', 'alice', { createdAt: T0 + 2 * MIN })];
    const s2 = [s('s-2', null, { createdAt: T0 + 5 * MIN })];
    const s3 = [s('s-3', 'carol', { createdAt: T0 + 4 * MIN })];
    await ctx.store.insertLogsWithRollups([...s1, makeLog()], testRollupsFor);
    await ctx.store.insertLogsWithRollups([...s2, ...s3, s1[0]!], testRollupsFor);
    const one = await ctx.store.getSession('s-1');
    expect(one).toEqual({ id: 's-1', firstAt: T0 + MIN, lastAt: T0 + 3 * MIN, count: 3, users: ['alice', 'bob'], tokens: 126, costUsd: 0.000063, errors: 1 });
    expect(await ctx.store.getSession('nope')).toBeNull();
    // most recently active first, paged
    const p1 = await ctx.store.listSessions({ limit: 2 });
    expect(p1.items.map((x) => x.id)).toEqual(['s-2', 's-3']);
    const p2 = await ctx.store.listSessions({ limit: 2, cursor: p1.nextCursor });
    expect(p2.items.map((x) => x.id)).toEqual(['s-1']);
    expect(p2.nextCursor).toBeNull();
    expect((await ctx.store.listSessions({ limit: 10, user: 'bob' })).items.map((x) => x.id)).toEqual(['s-1']);
    expect((await ctx.store.listSessions({ limit: 10, user: 'carol' })).items).toEqual([await ctx.store.getSession('s-3')]);
    expect((await ctx.store.listSessions({ limit: 10, user: 'nobody' })).items).toEqual([]);
  });
}
