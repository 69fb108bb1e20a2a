import { REDACTION_TYPES, type RedactionType } from '@llm-relay/contracts';
import { DETECTORS } from './detectors.ts';
import { redactValue, type StringRedactor } from './json.ts';
import type { Span } from './scan.ts';
import { isKeyedSecret } from './secrets.ts';

export type RedactionCounts = Partial<Record<RedactionType, number>>;

export interface Redactor {
  readonly types: readonly RedactionType[];
  /** Replaces each finding by its typed placeholder (`[EMAIL]`, `[CN_ID]`, …). */
  redactText(s: string): { text: string; counts: RedactionCounts };
  /** Redacts every string inside a JSON value (keys untouched); returns a new value, never mutates. */
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

// Inline images and audio are megabytes of base64 that cannot hold text PII; jump over them.
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
    const text = original.indexOf('\\') >= 0 ? neutralizeEscapes(original) : original;
    const spans: Span[] = [];
    const ranks: number[] = [];
    let from = 0;
    if (text.indexOf('base64,') >= 0) {
      DATA_URL_HEAD.lastIndex = 0;
      for (let m = DATA_URL_HEAD.exec(text); m !== null; m = DATA_URL_HEAD.exec(text)) {
        const payload = m.index + m[0].length;
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

  function redactText(s: string): { text: string; counts: RedactionCounts } {
    const spans = detect(s);
    const counts: RedactionCounts = {};
    if (spans.length === 0) return { text: s, counts };
    let text = '';
    let at = 0;
    for (const span of spans) {
      text += s.slice(at, span.start) + placeholder(span.type);
      at = span.end;
      counts[span.type] = (counts[span.type] ?? 0) + 1;
    }
    return { text: text + s.slice(at), counts };
  }

  function redactJson(v: unknown): { value: unknown; counts: RedactionCounts } {
    const counts: RedactionCounts = {};
    if (active.length === 0) return { value: v, counts };
    const redactString: StringRedactor = (s) => {
      const r = redactText(s);
      for (const [type, n] of Object.entries(r.counts) as [RedactionType, number][]) {
        counts[type] = (counts[type] ?? 0) + n;
      }
      return r.text;
    };
    if (enabled.has('secret')) {
      redactString.keyed = (key, value) => {
        if (!isKeyedSecret(key, value)) return null;
        counts.secret = (counts.secret ?? 0) + 1;
        return placeholder('secret');
      };
    }
    return { value: redactValue(v, redactString), counts };
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
