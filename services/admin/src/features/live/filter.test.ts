import { describe, expect, it } from 'vitest';
import { LiveFilterSchema, type LiveLogSummary } from '@llm-relay/contracts';
import { toListItem } from '@llm-relay/store';
import { makeLog } from '@llm-relay/testkit';
import { matchesLive } from './filter.ts';

describe('live filter on attribution', () => {
  const log: LiveLogSummary = toListItem(
    makeLog({
      attribution: { user: 'alice', session: 's-1', tags: ['beta', 'search'], properties: { team: 'core' } },
      prompt: { familyId: 'fam-1', versionId: 'ver-2', familyName: 'support', versionLabel: 'v2', source: 'detected' },
    }),
  );
  const bare = toListItem(makeLog());

  it('accepts user, session, tag, prompt, promptVersion and properties, and matches like the log list', () => {
    const f = LiveFilterSchema.parse({ user: 'alice', session: 's-1', tag: 'search', prompt: 'fam-1', promptVersion: 'ver-2', properties: { team: 'core' } });
    expect(matchesLive(f, log)).toBe(true);
    expect(matchesLive(f, bare)).toBe(false);
    for (const miss of [{ user: 'bob' }, { session: 's-2' }, { tag: 'gamma' }, { prompt: 'fam-9' }, { promptVersion: 'ver-1' }, { properties: { team: 'growth' } }]) {
      expect(matchesLive(LiveFilterSchema.parse(miss), log), JSON.stringify(miss)).toBe(false);
    }
    expect(LiveFilterSchema.safeParse({ properties: { 'Bad Name': 'x' } }).success).toBe(false);
  });
});

describe('live filter on the project', () => {
  it("keeps the calls whose key was in that project", () => {
    const inProject = toListItem(makeLog({ key: { id: 'k1', prefix: 'sk-relay-k1', name: 'k1', projectId: 'p1' } }));
    const f = LiveFilterSchema.parse({ projectId: 'p1' });
    expect(matchesLive(f, inProject)).toBe(true);
    expect(matchesLive(f, toListItem(makeLog()))).toBe(false);
    expect(matchesLive(LiveFilterSchema.parse({ projectId: 'p2' }), inProject)).toBe(false);
  });
});
