import { cutDeep } from '../logs/depth.ts';

/**
 * Walks a JSON value and redacts its strings, copying only the objects and arrays on the path to a change
 * so that an untouched body costs no allocation and the caller's value is never mutated.
 */

const MAX_DEPTH = 256;
const BLOB_MIN = 1024;
const BASE64_BLOB = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Inline images/audio: `data:image/png;base64,…` — decided from the first bytes, the rest is never read. */
function isDataUrl(s: string): boolean {
  if (!s.startsWith('data:')) return false;
  const comma = s.indexOf(',');
  return comma > 0 && comma < 200 && s.lastIndexOf(';base64', comma) > 0;
}

/** A bare base64 payload (`b64_json`, audio `data`); one native regex pass, no detector runs. */
function isBase64Blob(s: string): boolean {
  return s.length >= BLOB_MIN && BASE64_BLOB.test(s);
}

/** Tool-call `arguments` and similar fields carry JSON inside a string; redact inside, keep it JSON. */
function looksLikeJson(s: string): boolean {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  return (first === 123 && last === 125) || (first === 91 && last === 93); // {…} or […]
}

export interface StringRedactor {
  (s: string): string;
  /** The replacement for a string under a key that names a credential, or null to scan it as text. */
  keyed?: (key: string, value: string) => string | null;
}

export function redactValue(v: unknown, redactString: StringRedactor, depth = 0): unknown {
  if (typeof v === 'string') return redactStringValue(v, redactString, depth);
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const next = redactValue(v[i], redactString, depth + 1);
      if (next !== v[i]) {
        copy ??= v.slice();
        copy[i] = next;
      }
    }
    return copy ?? v;
  }
  let copy: Record<string, unknown> | null = null;
  for (const [key, item] of Object.entries(v)) {
    const keyed = typeof item === 'string' && redactString.keyed ? redactString.keyed(key, item) : null;
    const next = keyed ?? redactValue(item, redactString, depth + 1);
    if (next !== item) {
      copy ??= { ...v };
      copy[key] = next;
    }
  }
  return copy ?? v;
}

function redactStringValue(s: string, redactString: StringRedactor, depth: number): string {
  if (s.length < 6 || isDataUrl(s) || isBase64Blob(s)) return s;
  const trimmed = s.trim();
  if (looksLikeJson(trimmed)) {
    let parsed: unknown;
    try {
      // cut like every parsed body (logs/depth.ts): re-serialising a 10,000-deep value would overflow the stack
      parsed = cutDeep(JSON.parse(trimmed));
    } catch {
      return redactString(s);
    }
    const next = redactValue(parsed, redactString, depth + 1);
    return next === parsed ? s : JSON.stringify(next);
  }
  return redactString(s);
}
