import { describe, expect, it } from 'vitest';
import { CUT_MARK, cutDeep, hasCut } from './depth.ts';

describe('cutDeep', () => {
  it('returns a value within the limit as it is', () => {
    const v = { a: [1, { b: 'x' }] };
    expect(cutDeep(v, 3)).toBe(v);
    expect(hasCut(v)).toBe(false);
  });

  it('replaces what lies deeper with the mark, at any depth, without recursion', () => {
    expect(cutDeep({ a: [1, { b: 'x' }], c: 2 }, 2)).toEqual({ a: [1, CUT_MARK], c: 2 });
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    const cut = cutDeep(deep, 3);
    expect(cut).toEqual([[[CUT_MARK]]]);
    expect(hasCut(cut)).toBe(true);
  });

  it('keeps a parsed "__proto__" key as data, never as a prototype', () => {
    const v = JSON.parse('{"__proto__":{"polluted":true},"x":[[1]]}') as Record<string, unknown>;
    const cut = cutDeep(v, 2) as Record<string, unknown>;
    expect(Object.getPrototypeOf(cut)).toBe(Object.prototype);
    expect(Object.keys(cut)).toEqual(['__proto__', 'x']);
    expect(cut.x).toEqual([CUT_MARK]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
