import { describe, expect, it } from 'vitest';
import { compareRow, judge, logsFilterFor, relDiff, statsDim } from './workbench.ts';

describe('workbench helpers', () => {
  it('maps compare dimensions to stats dims and log filters', () => {
    expect(statsDim('property', 'variant')).toBe('property.variant');
    expect(statsDim('promptVersion', '')).toBe('promptVersion');
    expect(logsFilterFor('property', 'a', 'variant')).toEqual({ 'property.variant': 'a' });
    expect(logsFilterFor('tag', 'beta')).toEqual({ tag: 'beta' });
  });

  it('derives per-call figures from a breakdown row', () => {
    const r = compareRow({ value: 'a', count: 4, errors: 1, promptTokens: 30, completionTokens: 10, costUsd: 0.4, p50: 10, p95: 20, p99: 30, scoreAvg: 0.5, scoreCount: 2 });
    expect(r).toMatchObject({ errorRate: 0.25, tokensPerCall: 10, costPerCall: 0.1, scoreAvg: 0.5 });
    expect(compareRow({ value: 'b', count: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, p50: null, p95: null, p99: null }).errorRate).toBeNull();
  });

  it('judges a change by the direction that is better for the metric', () => {
    expect(judge('p95', 100, 150)).toBe('worse');
    expect(judge('p95', 100, 50)).toBe('better');
    expect(judge('scoreAvg', 0.5, 0.9)).toBe('better');
    expect(judge('costPerCall', 1, 1.01)).toBe('same');
    expect(judge('count', 1, 100)).toBeNull();
    expect(relDiff(100, 150)).toBe(0.5);
  });
});
