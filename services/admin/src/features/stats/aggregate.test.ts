import { describe, expect, it } from 'vitest';
import type { Rollup } from '@llm-relay/store';
import { breakdown, quantileFromBuckets, series } from './aggregate.ts';

const row = (minute: number, value: string, count: number, buckets: number[]): Rollup => ({
  minute, dim: 'model', value, count, errors: 1, promptTokens: 10 * count, completionTokens: 5 * count, costUsd: 0.001 * count, latencySumMs: 0, latencyBuckets: buckets,
});

describe('quantileFromBuckets', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    // 100 requests all in (100, 250] ms: the median is half way through that bucket
    expect(quantileFromBuckets([0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0], 0.5)).toBe(175);
    expect(quantileFromBuckets([50, 50, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0.99)).toBe(99);
  });
  it('answers the lower bound for the open last bucket and null when empty', () => {
    expect(quantileFromBuckets([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3], 0.5)).toBe(60000);
    expect(quantileFromBuckets(new Array(11).fill(0), 0.5)).toBeNull();
  });
});

describe('series and breakdown', () => {
  it('sums minutes into buckets with empty buckets kept, and values busiest first', () => {
    const h = 3_600_000;
    const rows = [row(0, 'a', 2, [2]), row(60_000, 'b', 4, [0, 4]), row(2 * h + 60_000, 'a', 1, [1])];
    const s = series(rows, 0, 3 * h, 'hour');
    expect(s.map((p) => [p.t, p.count])).toEqual([[0, 6], [h, 0], [2 * h, 1]]);
    expect(s[0]!.promptTokens).toBe(60);
    const b = breakdown(rows);
    expect(b.map((x) => [x.value, x.count, x.errors])).toEqual([['b', 4, 1], ['a', 3, 2]]);
  });
});
