/** Pure helpers behind the collapsible, searchable JSON tree. Paths look like `$.messages[0].content`. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'other';

export function kindOf(v: unknown): JsonKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'object') return 'object';
  if (t === 'string' || t === 'number' || t === 'boolean') return t;
  return 'other';
}

export function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return v !== null && typeof v === 'object';
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

export function entriesOf(v: Record<string, unknown> | unknown[]): [string | number, unknown][] {
  return Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
}

/** Paths of every container down to `depth` levels, for the initial open state. */
export function openToDepth(value: unknown, depth: number, path = '$'): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, p: string, d: number) => {
    if (!isContainer(v) || d >= depth) return;
    out.add(p);
    for (const [k, c] of entriesOf(v)) walk(c, childPath(p, k), d + 1);
  };
  walk(value, path, 0);
  return out;
}

export interface JsonSearchResult {
  /** paths whose key or primitive value contains the query */
  matches: string[];
  /** every ancestor of a match, to open so the matches are visible */
  open: Set<string>;
  /** true when the search stopped at the match limit */
  capped: boolean;
}

/** Case-insensitive search over keys and primitive values, bounded so a huge body stays responsive. */
export function searchJson(value: unknown, query: string, limit = 500): JsonSearchResult {
  const q = query.trim().toLowerCase();
  const matches: string[] = [];
  const open = new Set<string>();
  if (!q) return { matches, open, capped: false };
  let capped = false;
  const ancestors: string[] = [];
  const hit = (p: string) => {
    matches.push(p);
    for (const a of ancestors) open.add(a);
    if (matches.length >= limit) capped = true;
  };
  const walk = (v: unknown, p: string, key: string | number | null) => {
    if (capped) return;
    if (key !== null && typeof key === 'string' && key.toLowerCase().includes(q)) hit(p);
    else if (!isContainer(v) && v !== undefined && String(v).toLowerCase().includes(q)) hit(p);
    if (!isContainer(v)) return;
    ancestors.push(p);
    for (const [k, c] of entriesOf(v)) walk(c, childPath(p, k), k);
    ancestors.pop();
  };
  walk(value, '$', null);
  return { matches, open, capped };
}

/** One-line preview of a collapsed container, e.g. `{3 keys}` / `[12]`. */
export function summary(v: Record<string, unknown> | unknown[]): string {
  return Array.isArray(v) ? `[${v.length}]` : `{${Object.keys(v).length}}`;
}
