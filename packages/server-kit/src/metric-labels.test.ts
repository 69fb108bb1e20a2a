import { describe, expect, it } from 'vitest';
import { LabelBound, OTHER_LABEL, boundLabels } from './metric-labels.ts';

describe('LabelBound', () => {
  it('keeps the first `max` values, then reports `other`; a value seen before keeps its own', () => {
    const b = new LabelBound(2);
    expect([b.of('a'), b.of('b'), b.of('c'), b.of('a'), b.of(7)]).toEqual(['a', 'b', OTHER_LABEL, 'a', OTHER_LABEL]);
  });
  it('lets known values through without using room, and sends long values to `other`', () => {
    const b = new LabelBound(1, 8);
    expect(b.of('configured-model-name', true)).toBe('configured-model-name');
    expect(b.of('x'.repeat(9))).toBe(OTHER_LABEL);
    expect(b.of('short')).toBe('short');
    expect(b.of('next')).toBe(OTHER_LABEL);
  });
  it('boundLabels bounds the named labels only', () => {
    const bound = boundLabels<{ route: string; status: number }>({ status: 1 });
    expect(bound({ route: 'r1', status: 200 })).toEqual({ route: 'r1', status: '200' });
    expect(bound({ route: 'r2', status: 500 })).toEqual({ route: 'r2', status: OTHER_LABEL });
  });
});
