import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/svelte';
import LogTable from './LogTable.svelte';
import { sampleLog } from '../lib/test-fixtures.ts';

describe('<LogTable>', () => {
  it('renders only the visible rows of 10,000, and each row links to its detail', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => sampleLog(`log-${i}`, 1_700_000_000_000 - i * 1000));
    const { container } = render(LogTable, { items, selected: 2 });
    const rows = container.querySelectorAll('a.log-row');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]!.getAttribute('href')).toBe('/admin/logs/log-0');
    expect(rows[2]!.getAttribute('aria-selected')).toBe('true');
    const content = container.querySelector('.content') as HTMLElement;
    expect(content.style.height).toBe(`${10_000 * 30}px`);
  });
});
