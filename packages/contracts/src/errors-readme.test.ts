import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, RelayError } from './errors.ts';

/** The rows of the root README's "Errors" table: code → [status, type, meaning]. */
function readmeErrors(): Map<string, [number, string, string]> {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Errors\n'));
  expect(section, 'README has an "## Errors" section').toBeDefined();
  const rows = new Map<string, [number, string, string]>();
  for (const line of section!.split('\n')) {
    const m = /^\| `([^`]+)` \| (\d{3}) \| `([^`]+)` \| (.+) \|$/.exec(line);
    if (m) rows.set(m[1]!, [Number(m[2]), m[3]!, m[4]!]);
  }
  return rows;
}

describe('the error catalogue', () => {
  it('is the README Errors table, row for row', () => {
    const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, s]) => [code, [s.status, s.type, s.meaning]]));
    expect(Object.fromEntries(readmeErrors())).toEqual(Object.fromEntries(catalogue));
  });

  it('has lower_snake_case codes only', () => {
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('gives a RelayError its status and type from the code', () => {
    const e = new RelayError('budget_exceeded', 'Budget exceeded.', { headers: { 'retry-after': '60' } });
    expect([e.status, e.headers]).toEqual([429, { 'retry-after': '60' }]);
    expect(e.toBody()).toEqual({ error: { message: 'Budget exceeded.', type: 'insufficient_quota', param: null, code: 'budget_exceeded' } });
  });
});
