import { describe, expect, it } from 'vitest';
import { AlertThresholdsSchema, isUnpricedCall, periodEnd, periodStart, periodTag, spendKey, toMicroUsd } from './budget.ts';

describe('budget periods (UTC)', () => {
  const t = Date.UTC(2026, 11, 31, 23, 59, 59, 999); // the last millisecond of 2026

  it('starts a day at UTC midnight and a month on its first day', () => {
    expect(periodStart('day', t)).toBe(Date.UTC(2026, 11, 31));
    expect(periodStart('month', t)).toBe(Date.UTC(2026, 11, 1));
  });

  it('resets at the next UTC day or month, across a year end', () => {
    expect(periodEnd('day', t)).toBe(Date.UTC(2027, 0, 1));
    expect(periodEnd('month', t)).toBe(Date.UTC(2027, 0, 1));
    expect(periodEnd('month', Date.UTC(2027, 1, 10))).toBe(Date.UTC(2027, 2, 1));
  });

  it('names a spend key by scope, id and period', () => {
    expect(periodTag('day', t)).toBe('d20261231');
    expect(periodTag('month', t)).toBe('m202612');
    expect(spendKey('{relay}', 'project', 'p1', 'day', t + 1)).toBe('{relay}:spend:project:p1:d20270101');
  });

  it('counts in integer micro-USD and keeps thresholds sorted and unique', () => {
    expect(toMicroUsd(0.1 + 0.2)).toBe(300_000);
    expect(AlertThresholdsSchema.parse([1, 0.5, 0.8, 0.5])).toEqual([0.5, 0.8, 1]);
  });
});

describe('unpriced calls', () => {
  const tokens = { prompt: 10, completion: 5 };
  const price = { model: 'gpt-4o', input: 2.5, output: 10, source: 'table' };
  it('are calls that used tokens at no known price', () => {
    expect(isUnpricedCall({ cost: { price: null }, usage: tokens })).toBe(true);
    expect(isUnpricedCall({ cost: { price: null }, usage: { prompt: null, completion: 3 } })).toBe(true);
    expect(isUnpricedCall({ cost: { price }, usage: tokens })).toBe(false);
    // a failure without token counts cost nothing anyone bills
    expect(isUnpricedCall({ cost: { price: null }, usage: { prompt: null, completion: null } })).toBe(false);
  });
});
