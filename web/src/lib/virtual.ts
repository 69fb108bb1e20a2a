/** Maths of a fixed-row-height virtual list: which rows to render for a scroll position. */
export interface VirtualInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  /** extra rows above and below the viewport so fast scrolling shows no blank gap */
  overscan?: number;
}
export interface VirtualWindow {
  /** first rendered index (inclusive) */
  start: number;
  /** last rendered index (exclusive) */
  end: number;
  /** px from the top of the content to the first rendered row */
  offsetTop: number;
  totalHeight: number;
}

export function visibleWindow({ scrollTop, viewportHeight, rowHeight, count, overscan = 8 }: VirtualInput): VirtualWindow {
  const totalHeight = Math.max(0, count * rowHeight);
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const maxTop = Math.max(0, totalHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/** The scrollTop that brings row `index` fully into view, or null when it already is. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return null;
}

/** Keyboard movement in a list: clamps at both ends; -1 means nothing selected yet. */
export function moveSelection(current: number, delta: number, count: number): number {
  if (count === 0) return -1;
  if (current < 0) return delta > 0 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, current + delta));
}
