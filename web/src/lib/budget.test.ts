import { describe, expect, it } from 'vitest';
import { budgetFromInput, resetText, spendLevel, spendRatio, thresholdsFromText, thresholdsToText } from './budget.ts';

describe('budget helpers', () => {
  it('colours a spend by how full its budget is: below 80 %, from 80 %, from 100 %, and none without a budget', () => {
    const month = { usd: 10, period: 'month' as const };
    expect(spendLevel(spendRatio(7.99, month))).toBe('ok');
    expect(spendLevel(spendRatio(8, month))).toBe('warn');
    expect(spendLevel(spendRatio(10, month))).toBe('over');
    expect(spendLevel(spendRatio(12, month))).toBe('over');
    expect(spendLevel(spendRatio(3, null))).toBe('none');
  });

  it('names the reset as the next UTC period start', () => {
    expect(resetText({ usd: 1, period: 'day' }, Date.UTC(2026, 11, 31))).toBe('2027-01-01 00:00 UTC');
    expect(resetText({ usd: 1, period: 'month' }, Date.UTC(2026, 11, 1))).toBe('2027-01-01 00:00 UTC');
    expect(resetText({ usd: 1, period: 'month' }, Date.UTC(2026, 1, 1))).toBe('2026-03-01 00:00 UTC');
  });

  it('shows thresholds as percent and reads them back as fractions', () => {
    expect(thresholdsToText([0.5, 0.8, 1])).toBe('50, 80, 100');
    expect(thresholdsToText([0.125])).toBe('12.5');
    expect(thresholdsFromText('50, 80,100%')).toEqual([0.5, 0.8, 1]);
    expect(thresholdsFromText('12.5 150')).toEqual([0.125, 1.5]);
    expect(thresholdsFromText('')).toEqual([]);
    expect(thresholdsFromText('50, eighty')).toBeNull();
    expect(thresholdsFromText('-10')).toBeNull();
  });

  it('treats an empty amount as no budget', () => {
    expect(budgetFromInput(null, 'day')).toBeNull();
    expect(budgetFromInput('', 'day')).toBeNull();
    expect(budgetFromInput(5, 'day')).toEqual({ usd: 5, period: 'day' });
  });
});
