import { describe, expect, it } from 'vitest';
import { pct, summarize } from './stats.ts';
import { cdf, groupedBars } from './svg.ts';

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(pct(xs, 50)).toBe(50);
    expect(pct(xs, 99)).toBe(99);
    expect(pct(xs, 100)).toBe(100);
    expect(summarize([3, 1, 2])).toMatchObject({ n: 3, p50: 2, max: 3, mean: 2 });
    expect(summarize([]).p50).toBeNaN();
  });
});

describe('svg charts', () => {
  it('draws bars, marks missing values n/a and negative ones without a bar', () => {
    const svg = groupedBars({ title: 'T <1>', unit: 'ms', categories: ['a', 'b', 'c'], series: [{ name: 's', values: [1.5, null, -0.2] }] });
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('T &lt;1&gt;');
    expect(svg).toContain('n/a');
    expect(svg).toContain('−0.20');
    expect(svg.match(/<rect x=/g)).toHaveLength(2); // one bar + one legend swatch
    expect(svg).not.toMatch(/height="-/);
  });

  it('draws one polyline per non-empty series in a CDF', () => {
    const svg = cdf({ title: 'cdf', series: [{ name: 'x', sortedMs: [0.5, 1, 2, 4] }, { name: 'empty', sortedMs: [] }] });
    expect(svg.match(/<polyline/g)).toHaveLength(1);
  });
});
