/**
 * Routing needs three top-level fields of a request body (`model`, `stream`, `stream_options`), and
 * usage injection or an alias changes one of them. A vision request can be 20 MB of JSON: parsing it
 * whole and serialising it again would cost tens of milliseconds of event loop. This scans the top level
 * of the raw bytes instead (strings are skipped with a native indexOf), and edits by splicing bytes.
 * Anything it does not understand returns null, and the caller falls back to JSON.parse.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface Span {
  start: number;
  end: number;
}

export interface TopLevelFields {
  model: (Span & { value: string }) | null;
  stream: boolean;
  streamOptions: (Span & { value: Record<string, unknown> | null }) | null;
  /** OpenAI's end-user id, read for attribution */
  user: string | null;
  /** chat completions' and Responses' `metadata` object (Anthropic's too), read for attribution */
  metadata: Record<string, unknown> | null;
  /** offset of the closing brace of the top-level object */
  close: number;
  /**
   * a top-level key that occurs twice (keys compared decoded, so `"mod\u0065l"` is `model`), or null.
   * Parsers disagree on which copy wins (JSON.parse and Python take the last, others the first or refuse),
   * so a body with one cannot be routed safely: the allow-list could see one model and the provider another.
   */
  duplicateKey: string | null;
  /** nesting depth of the body: 1 for a flat object */
  depth: number;
}

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(b: Buffer, i: number): number {
  while (isWs(b[i])) i++;
  return i;
}

/** Offset just past the string starting at `i` (an opening quote), or -1. */
function stringEnd(b: Buffer, i: number): number {
  let q = i;
  for (;;) {
    q = b.indexOf(QUOTE, q + 1);
    if (q < 0) return -1;
    let bs = 0;
    while (b[q - 1 - bs] === BACKSLASH) bs++;
    if (bs % 2 === 0) return q + 1;
  }
}

/** Offset just past the object or array starting at `i`, or -1; its nesting depth goes into `seen.depth`. */
function nestedEnd(b: Buffer, i: number, seen: { depth: number }): number {
  let depth = 0;
  for (let j = i; j < b.length; j++) {
    const x = b[j];
    if (x === QUOTE) {
      j = stringEnd(b, j) - 1;
      if (j < 0) return -1;
    } else if (x === 0x7b || x === 0x5b) {
      depth++;
      if (depth > seen.depth) seen.depth = depth;
    } else if (x === 0x7d || x === 0x5d) {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return -1;
}

/** Offset just past the JSON value starting at `i`, or -1. */
function valueEnd(b: Buffer, i: number, seen: { depth: number }): number {
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i);
  if (c === 0x7b || c === 0x5b) return nestedEnd(b, i, seen);
  let j = i;
  while (j < b.length && b[j] !== 0x2c && b[j] !== 0x7d && b[j] !== 0x5d && !isWs(b[j])) j++;
  return j > i ? j : -1;
}

/**
 * Nesting depth of a JSON text (strings skipped, nothing parsed), for bodies the top-level scan does not
 * read; a text that is not an object or array has depth 0. It does not validate.
 */
export function jsonDepth(b: Buffer): number {
  const i = skipWs(b, 0);
  if (b[i] !== 0x7b && b[i] !== 0x5b) return 0;
  const seen = { depth: 0 };
  nestedEnd(b, i, seen);
  return seen.depth;
}

/** A key as the upstream's parser will read it: escapes decoded. */
function keyText(b: Buffer, start: number, end: number): string {
  for (let j = start + 1; j < end - 1; j++) if (b[j] === BACKSLASH) return JSON.parse(b.toString('utf8', start, end)) as string;
  return b.toString('utf8', start + 1, end - 1);
}

export function scanTopLevel(b: Buffer): TopLevelFields | null {
  let i = skipWs(b, 0);
  if (b[i] !== 0x7b) return null;
  const out: TopLevelFields = { model: null, stream: false, streamOptions: null, user: null, metadata: null, close: -1, duplicateKey: null, depth: 1 };
  i = skipWs(b, i + 1);
  if (b[i] === 0x7d) return { ...out, close: i };
  const keys = new Set<string>();
  const seen = { depth: 0 };
  for (;;) {
    if (b[i] !== QUOTE) return null;
    const kEnd = stringEnd(b, i);
    if (kEnd < 0) return null;
    let key: string;
    try {
      key = keyText(b, i, kEnd);
    } catch {
      return null;
    }
    if (keys.has(key)) out.duplicateKey ??= key;
    keys.add(key);
    i = skipWs(b, kEnd);
    if (b[i] !== 0x3a) return null;
    const vStart = skipWs(b, i + 1);
    const vEnd = valueEnd(b, vStart, seen);
    if (vEnd < 0) return null;
    try {
      if (key === 'model') {
        const v: unknown = JSON.parse(b.toString('utf8', vStart, vEnd));
        out.model = typeof v === 'string' ? { start: vStart, end: vEnd, value: v } : null;
      } else if (key === 'stream') {
        out.stream = b.toString('latin1', vStart, vEnd) === 'true';
      } else if (key === 'stream_options') {
        const v: unknown = JSON.parse(b.toString('utf8', vStart, vEnd));
        out.streamOptions = { start: vStart, end: vEnd, value: v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null };
      } else if (key === 'user') {
        const v: unknown = JSON.parse(b.toString('utf8', vStart, vEnd));
        out.user = typeof v === 'string' ? v : null;
      } else if (key === 'metadata') {
        // small by contract (OpenAI: 16 pairs); parsed only when present
        const v: unknown = JSON.parse(b.toString('utf8', vStart, vEnd));
        out.metadata = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
      }
    } catch {
      return null;
    }
    i = skipWs(b, vEnd);
    if (b[i] === 0x2c) {
      i = skipWs(b, i + 1);
      continue;
    }
    if (b[i] !== 0x7d) return null;
    out.close = i;
    out.depth = 1 + seen.depth;
    return skipWs(b, i + 1) === b.length ? out : null;
  }
}

/** Replace byte ranges (non-overlapping) with new text. */
export function splice(b: Buffer, edits: { start: number; end: number; text: string }[]): Buffer {
  const sorted = [...edits].sort((x, y) => x.start - y.start);
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of sorted) {
    parts.push(b.subarray(at, e.start), Buffer.from(e.text));
    at = e.end;
  }
  parts.push(b.subarray(at));
  return Buffer.concat(parts);
}

/** The body with the model renamed and/or `stream_options.include_usage` switched on. */
export function rewriteBody(b: Buffer, f: TopLevelFields, upstreamModel: string | null, injectUsage: boolean): Buffer {
  const edits: { start: number; end: number; text: string }[] = [];
  if (upstreamModel !== null && f.model) edits.push({ start: f.model.start, end: f.model.end, text: JSON.stringify(upstreamModel) });
  if (injectUsage) {
    if (f.streamOptions) edits.push({ start: f.streamOptions.start, end: f.streamOptions.end, text: JSON.stringify({ ...(f.streamOptions.value ?? {}), include_usage: true }) });
    else edits.push({ start: f.close, end: f.close, text: ',"stream_options":{"include_usage":true}' });
  }
  return edits.length ? splice(b, edits) : b;
}
