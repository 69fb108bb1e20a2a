import { describe, expect, it } from 'vitest';
import { moveSelection, scrollToReveal, visibleWindow } from './virtual.ts';

describe('virtual list maths', () => {
  it('renders only the rows in view plus overscan, wherever the scroll is', () => {
    const w = visibleWindow({ scrollTop: 150_000, viewportHeight: 600, rowHeight: 30, count: 10_000, overscan: 5 });
    expect(w.start).toBe(4995);
    expect(w.end).toBe(5000 + 21 + 5);
    expect(w.offsetTop).toBe(4995 * 30);
    expect(w.totalHeight).toBe(300_000);
    expect(w.end - w.start).toBeLessThan(40);
  });

  it('clamps at the top and at the bottom', () => {
    expect(visibleWindow({ scrollTop: -50, viewportHeight: 300, rowHeight: 30, count: 100, overscan: 2 })).toMatchObject({ start: 0, end: 13 });
    const end = visibleWindow({ scrollTop: 1e9, viewportHeight: 300, rowHeight: 30, count: 100, overscan: 2 });
    expect(end.end).toBe(100);
    expect(end.start).toBe(88);
  });

  it('handles an empty list and fewer rows than the viewport', () => {
    expect(visibleWindow({ scrollTop: 0, viewportHeight: 300, rowHeight: 30, count: 0 })).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
    expect(visibleWindow({ scrollTop: 0, viewportHeight: 300, rowHeight: 30, count: 3 })).toMatchObject({ start: 0, end: 3 });
  });

  it('scrolls just enough to reveal a row, and not at all when it is visible', () => {
    expect(scrollToReveal(50, 0, 300, 30)).toBe(51 * 30 - 300);
    expect(scrollToReveal(2, 300, 300, 30)).toBe(60);
    expect(scrollToReveal(12, 300, 300, 30)).toBeNull();
  });

  it('moves the keyboard selection within bounds', () => {
    expect(moveSelection(-1, 1, 10)).toBe(0);
    expect(moveSelection(-1, -1, 10)).toBe(9);
    expect(moveSelection(9, 1, 10)).toBe(9);
    expect(moveSelection(0, -1, 10)).toBe(0);
    expect(moveSelection(3, 20, 10)).toBe(9);
    expect(moveSelection(3, 1, 0)).toBe(-1);
  });
});
