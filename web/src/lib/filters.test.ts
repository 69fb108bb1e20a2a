import { describe, expect, it } from 'vitest';
import { exportHref, filtersFromQuery, filtersToQuery, hasHistoryOnlyFilters, liveFilter } from './filters.ts';

describe('filters ⇄ URL', () => {
  it('round-trips every filter of the API through the query string', () => {
    const qs = 'from=1700000000000&to=1700000600000&model=gpt-4o&provider=openai&keyId=k1&projectId=p1&status=429&outcome=upstream_error&route=chat.completions&stream=true&errorsOnly=true&q=hello+world';
    const f = filtersFromQuery(new URLSearchParams(qs));
    expect(f).toEqual({
      from: 1700000000000,
      to: 1700000600000,
      model: 'gpt-4o',
      provider: 'openai',
      keyId: 'k1',
      projectId: 'p1',
      status: 429,
      outcome: 'upstream_error',
      route: 'chat.completions',
      stream: true,
      errorsOnly: true,
      q: 'hello world',
    });
    expect(filtersToQuery(f).toString()).toBe(qs);
  });

  it('drops values the API would reject instead of breaking the page', () => {
    const f = filtersFromQuery(new URLSearchParams('status=abc&outcome=nope&route=x&model=m&stream=maybe'));
    expect(f).toEqual({ model: 'm' });
  });

  it('keeps stream=false but leaves out errorsOnly=false and empty values', () => {
    expect(filtersToQuery({ stream: false, errorsOnly: false, model: '' as string }).toString()).toBe('stream=false');
  });

  it('export links carry the current filters and the format', () => {
    expect(exportHref({ model: 'a b', errorsOnly: true }, 'csv')).toBe('/admin/logs/export?model=a+b&errorsOnly=true&format=csv');
    expect(exportHref({}, 'jsonl')).toBe('/admin/logs/export?format=jsonl');
    expect(exportHref({ model: 'm' }, 'jsonl', true)).toBe('/admin/logs/export?model=m&format=jsonl&full=true');
  });

  it('splits filters the live stream can apply from history-only ones', () => {
    expect(liveFilter({ model: 'm', status: 500, errorsOnly: false, q: 'x' })).toEqual({ model: 'm', q: 'x' });
    expect(hasHistoryOnlyFilters({ model: 'm' })).toBe(false);
    expect(hasHistoryOnlyFilters({ status: 500 })).toBe(true);
    expect(liveFilter({ projectId: 'p1', status: 500 })).toEqual({ projectId: 'p1' });
  });
});
