import { REDACTION_TYPES, type RedactionType } from '@llm-relay/contracts';
import { DETECTORS } from './detectors.ts';
import { redactValue, type StringRedactor } from './json.ts';
import { foldFullWidth, isBinaryBase64 } from './opaque.ts';
import type { Span } from './scan.ts';
import { isKeyedSecret } from './secrets.ts';

export type RedactionCounts = Partial<Record<RedactionType, number>>;

export interface Redactor {
  readonly types: readonly RedactionType[];
  /** Replaces each finding by its typed placeholder (`[EMAIL]`, `[CN_ID]`, …). */
  redactText(s: string): { text: string; counts: RedactionCounts };
  /** Redacts every string and every object key inside a JSON value; returns a new value, never mutates. */
  redactJson(v: unknown): { value: unknown; counts: RedactionCounts };
  /** The spans redactText would replace, in text order; for measuring and for tests. */
  detect(s: string): Span[];
}

export function placeholder(type: RedactionType): string {
  return `[${type.toUpperCase()}]`;
}

// JSON text (a raw SSE stream, a preview of a body) hides boundaries behind escapes: in `\n13800138000`
// the phone number seems to follow the letter n, and `\nzhang@x.com` would lose its backslash to the
// e-mail. Detection therefore runs on a copy where every escape is a same-length run of U+0001, a
// character no detector matches, so positions still map 1:1 onto the original.
const UNICODE_ESCAPE = /^u[0-9A-Fa-f]{4}/;
const FILL_2 = '\u0001\u0001';
const FILL_6 = '\u0001'.repeat(6);
function neutralizeEscapes(text: string): string {
  let out = '';
  let from = 0;
  for (let p = text.indexOf('\\'); p >= 0 && p < text.length - 1; p = text.indexOf('\\', from)) {
    const unicode = text.charCodeAt(p + 1) === 117 && UNICODE_ESCAPE.test(text.slice(p + 1, p + 6));
    out += text.slice(from, p) + (unicode ? FILL_6 : FILL_2);
    from = p + (unicode ? 6 : 2);
  }
  return out + text.slice(from);
}

// Joins the strings of a JSON body for one detection pass. No detector matches U+0000 or crosses a line
// break with anything but a private-key body, whose span is cut at the end of its string.
const SEPARATOR = '\n\u0000\n';

// Inline images and audio are megabytes of base64 that cannot hold text PII; jump over them when the payload
// really is media (opaque.ts), and scan what follows the payload.
const DATA_URL_HEAD = /data:[\w.+-]+\/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,/g;
const BASE64_RUN = /[A-Za-z0-9+/=]*/y;

export function createRedactor(types: readonly RedactionType[] = REDACTION_TYPES): Redactor {
  const enabled = new Set(types);
  const active = DETECTORS.filter((d) => enabled.has(d.type));

  function detectIn(text: string, from: number, to: number, out: Span[], ranks: number[]): void {
    const part = from === 0 && to === text.length ? text : text.slice(from, to);
    if (part.length < 6) return;
    active.forEach((d, rank) => {
      const before = out.length;
      d.find(part, out);
      for (let i = before; i < out.length; i++) {
        const s = out[i]!;
        s.start += from;
        s.end += from;
        ranks.push(rank);
      }
    });
  }

  function detect(original: string): Span[] {
    if (active.length === 0) return [];
    const text = foldFullWidth(original.indexOf('\\') >= 0 ? neutralizeEscapes(original) : original);
    const spans: Span[] = [];
    const ranks: number[] = [];
    let from = 0;
    if (text.indexOf('base64,') >= 0) {
      DATA_URL_HEAD.lastIndex = 0;
      for (let m = DATA_URL_HEAD.exec(text); m !== null; m = DATA_URL_HEAD.exec(text)) {
        const payload = m.index + m[0].length;
        if (!isBinaryBase64(text, payload)) continue;
        BASE64_RUN.lastIndex = payload;
        BASE64_RUN.exec(text);
        detectIn(text, from, payload, spans, ranks);
        from = BASE64_RUN.lastIndex;
        DATA_URL_HEAD.lastIndex = from;
      }
    }
    detectIn(text, from, text.length, spans, ranks);
    return resolveOverlaps(spans, ranks);
  }

  /**
   * Redacts several strings with one detection pass over them joined by SEPARATOR (per-call overhead, not
   * bytes, dominates on bodies of many short strings). A string without findings comes back as itself.
   */
  function redactMany(texts: readonly string[], counts: RedactionCounts): string[] {
    const out = texts.slice();
    const spans = detect(texts.length === 1 ? texts[0]! : texts.join(SEPARATOR));
    if (spans.length === 0) return out;
    const starts: number[] = [];
    for (let i = 0, off = 0; i < texts.length; off += texts[i]!.length + SEPARATOR.length, i++) starts.push(off);
    let t = 0;
    let cur = -1;
    let acc = '';
    let at = 0;
    const flush = () => {
      if (cur >= 0) out[cur] = acc + texts[cur]!.slice(at);
    };
    for (const span of spans) {
      while (t + 1 < texts.length && span.start >= starts[t + 1]!) t++;
      const text = texts[t]!;
      const start = span.start - starts[t]!;
      if (start >= text.length) continue;
      if (t !== cur) {
        flush();
        cur = t;
        acc = '';
        at = 0;
      }
      acc += text.slice(at, start) + placeholder(span.type);
      at = Math.min(span.end - starts[t]!, text.length);
      counts[span.type] = (counts[span.type] ?? 0) + 1;
    }
    flush();
    return out;
  }

  function redactText(s: string): { text: string; counts: RedactionCounts } {
    const counts: RedactionCounts = {};
    return { text: redactMany([s], counts)[0]!, counts };
  }

  /**
   * Two walks in the same order: the first collects the strings to scan, one detection pass redacts them
   * all, the second puts the results back (copying only what changed).
   */
  function redactJson(v: unknown): { value: unknown; counts: RedactionCounts } {
    const counts: RedactionCounts = {};
    if (active.length === 0) return { value: v, counts };
    const keyedOn = enabled.has('secret');
    let keyedHits = 0;
    const texts: string[] = [];
    const collect: StringRedactor = (s) => {
      texts.push(s);
      return s;
    };
    // Returning the value itself leaves it unchanged in this walk without scanning it as text.
    if (keyedOn) {
      collect.keyed = (key, value) => {
        if (!isKeyedSecret(key, value)) return null;
        keyedHits++;
        return value;
      };
    }
    let cuts = 0;
    collect.cut = () => cuts++;
    redactValue(v, collect);
    const redacted = redactMany(texts, counts);
    if (keyedHits === 0 && cuts === 0 && redacted.every((r, i) => r === texts[i])) return { value: v, counts };
    if (keyedHits > 0) counts.secret = (counts.secret ?? 0) + keyedHits;
    let next = 0;
    const apply: StringRedactor = () => redacted[next++]!;
    if (keyedOn) apply.keyed = (key, value) => (isKeyedSecret(key, value) ? placeholder('secret') : null);
    return { value: redactValue(v, apply), counts };
  }

  return { types: [...enabled], redactText, redactJson, detect };
}

/** Where two findings overlap, the detector listed first wins; the result is in text order. */
function resolveOverlaps(spans: Span[], ranks: number[]): Span[] {
  const order = spans.map((_, i) => i);
  order.sort((a, b) => spans[a]!.start - spans[b]!.start || ranks[a]! - ranks[b]! || spans[b]!.end - spans[a]!.end);
  const kept: number[] = [];
  for (const i of order) {
    const last = kept[kept.length - 1];
    if (last === undefined || spans[i]!.start >= spans[last]!.end) kept.push(i);
    else if (ranks[i]! < ranks[last]!) kept[kept.length - 1] = i;
  }
  return kept.map((i) => spans[i]!);
}

export type { Span };
export { REDACTION_TYPES, type RedactionType };
