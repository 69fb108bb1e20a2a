import { describe, expect, it } from 'vitest';
import { fireEvent, render } from '@testing-library/svelte';
import JsonTree from './JsonTree.svelte';

describe('<JsonTree>', () => {
  const value = { a: { b: { c: { deep: 'needle here' } } }, list: [1, 2, 3] };

  it('starts collapsed below the given depth and expands on click', async () => {
    const { container, getAllByText } = render(JsonTree, { value, depth: 1 });
    expect(container.textContent).not.toContain('needle');
    await fireEvent.click(getAllByText('{1}')[0]!);
    expect(container.querySelector('[data-path="$.a.b"]')).not.toBeNull();
  });

  it('search opens the path to every match and marks it', async () => {
    const { container, getByRole } = render(JsonTree, { value, depth: 1 });
    await fireEvent.input(getByRole('searchbox'), { target: { value: 'NEEDLE' } });
    const hit = container.querySelector('[data-path="$.a.b.c.deep"]');
    expect(hit).not.toBeNull();
    expect(hit!.classList.contains('match')).toBe(true);
    expect(container.textContent).toContain('"needle here"');
  });
});
