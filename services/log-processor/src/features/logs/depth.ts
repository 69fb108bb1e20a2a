import { JSON_DEPTH_MAX } from '@llm-relay/contracts';

/**
 * Nothing a client sends may keep its exchange out of the log, and a JSON value nested 10,000 deep makes
 * every recursive step fail with a RangeError: JSON.stringify (the store, the live stream), structuredClone
 * (stream reassembly), the text and redaction walks. So every JSON value the processor parses is cut at
 * JSON_DEPTH_MAX (the gateway refuses deeper request bodies, so only an older gateway's event or a provider's
 * answer gets here): what lies deeper is replaced by CUT_MARK, and the stored body is flagged `truncated`.
 * Both walks here are iterative, so they work at any depth.
 */
export const CUT_MARK = `[cut: nested deeper than ${JSON_DEPTH_MAX} levels]`;

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

function deeperThan(v: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[v, 1]];
  while (stack.length > 0) {
    const [x, level] = stack.pop()!;
    if (!isContainer(x)) continue;
    if (level > max) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (isContainer(c)) stack.push([c, level + 1]);
  }
  return false;
}

function setKey(dst: Container, k: string | number, value: unknown): void {
  // a parsed `"__proto__"` key is an own property; plain assignment would set the prototype instead
  if (k === '__proto__') Object.defineProperty(dst, k, { value, enumerable: true, writable: true, configurable: true });
  else (dst as Record<string, unknown>)[k] = value;
}

/** `v` itself when it is at most `max` levels deep, else a copy with every deeper container replaced by CUT_MARK. */
export function cutDeep(v: unknown, max = JSON_DEPTH_MAX): unknown {
  if (!isContainer(v) || !deeperThan(v, max)) return v;
  const empty = (x: Container): Container => (Array.isArray(x) ? [] : {});
  const root = empty(v);
  const stack: [Container, Container, number][] = [[v, root, 1]];
  while (stack.length > 0) {
    const [src, dst, level] = stack.pop()!;
    for (const [k, c] of Array.isArray(src) ? src.entries() : Object.entries(src)) {
      if (!isContainer(c)) setKey(dst, k, c);
      else if (level + 1 > max) setKey(dst, k, CUT_MARK);
      else {
        const d = empty(c);
        setKey(dst, k, d);
        stack.push([c, d, level + 1]);
      }
    }
  }
  return root;
}

/** Whether a (cut) value holds CUT_MARK anywhere: the body it came from was cut. */
export function hasCut(v: unknown): boolean {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === CUT_MARK) return true;
    if (isContainer(x)) for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push(c);
  }
  return false;
}
