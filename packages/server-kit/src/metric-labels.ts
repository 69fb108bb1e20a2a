/**
 * Every label value a metric sees becomes a time series that lives until the process exits, and each one
 * is written out on every scrape. A label fed from what a client sends (a model name, a method, a
 * provider's status) would let one client grow /metrics and the process's memory without bound, so
 * such labels go through a bound: the first `max` distinct values are kept, every later one (and any
 * value longer than `maxLength`) is reported as `other`.
 */
export const OTHER_LABEL = 'other';

export class LabelBound {
  private readonly seen = new Set<string>();
  readonly max: number;
  readonly maxLength: number;

  constructor(max: number, maxLength = 128) {
    this.max = max;
    this.maxLength = maxLength;
  }

  /**
   * The value to report for `v`: itself while the bound has room (or already holds it), else `other`.
   * A `known` value (one the configuration names) is always itself and takes no room, so a flood of
   * made-up names cannot push the real ones into `other`.
   */
  of(v: string | number, known = false): string {
    const s = String(v);
    if (known || this.seen.has(s)) return s;
    if (s.length > this.maxLength || this.seen.size >= this.max) return OTHER_LABEL;
    this.seen.add(s);
    return s;
  }
}

/**
 * One bound per label name, for a metric whose labels all come from the same object: `bound(labels)`
 * returns the labels with every bounded one replaced by what its LabelBound reports. Labels not named
 * in `limits` (a route from a fixed list, say) pass unchanged.
 */
export function boundLabels<T extends Record<string, string | number>>(limits: Partial<Record<keyof T & string, number>>): (labels: T) => T {
  const bounds = Object.entries(limits).map(([name, max]) => [name, new LabelBound(max as number)] as const);
  return (labels) => {
    const out: Record<string, string | number> = { ...labels };
    for (const [name, b] of bounds) if (out[name] !== undefined) out[name] = b.of(out[name]);
    return out as T;
  };
}
