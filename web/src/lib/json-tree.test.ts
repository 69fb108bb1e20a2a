import { describe, expect, it } from 'vitest';
import { childPath, openToDepth, searchJson, summary } from './json-tree.ts';

const body = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: [{ type: 'text', text: 'What is the WEATHER?' }] },
  ],
  'odd key': { n: 42, ok: true, none: null },
};

describe('JSON tree helpers', () => {
  it('builds readable paths', () => {
    expect(childPath('$', 'messages')).toBe('$.messages');
    expect(childPath('$.messages', 1)).toBe('$.messages[1]');
    expect(childPath('$', 'odd key')).toBe('$["odd key"]');
  });

  it('opens containers down to a depth', () => {
    expect([...openToDepth(body, 2)].sort()).toEqual(['$', '$.messages', '$["odd key"]'].sort());
  });

  it('finds matches in values and keys, case-insensitively, and opens their ancestors', () => {
    const r = searchJson(body, 'weather');
    expect(r.matches).toEqual(['$.messages[1].content[0].text']);
    expect([...r.open].sort()).toEqual(['$', '$.messages', '$.messages[1]', '$.messages[1].content', '$.messages[1].content[0]'].sort());
    expect(searchJson(body, 'ROLE').matches).toEqual(['$.messages[0].role', '$.messages[1].role']);
    expect(searchJson(body, '42').matches).toEqual(['$["odd key"].n']);
  });

  it('stops at the match limit on huge bodies', () => {
    const big = Array.from({ length: 5000 }, (_, i) => ({ text: `item ${i}` }));
    const r = searchJson(big, 'item', 100);
    expect(r.matches).toHaveLength(100);
    expect(r.capped).toBe(true);
  });

  it('an empty query matches nothing', () => {
    expect(searchJson(body, '  ').matches).toEqual([]);
  });

  it('summarises collapsed containers', () => {
    expect(summary([1, 2, 3])).toBe('[3]');
    expect(summary({ a: 1 })).toBe('{1}');
  });
});
