import { cutDeep } from '../logs/depth.ts';

/**
 * Walks a JSON value and redacts its strings and object keys, copying only the objects and arrays on the path
 * to a change so that an untouched body costs no allocation and the caller's value is never mutated.
 */
import { isBinaryBase64 } from './opaque.ts';

/** Below this depth a subtree is redacted as its JSON text (the walk is recursive; the text scan is not). */
export const MAX_DEPTH = 256;
/** What replaces a subtree too deep to serialise at all (no processor step can handle it either). */
export const TOO_DEEP = '[CUT: nested too deep]';
const BLOB_MIN = 1024;
const BASE64_BLOB = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A bare base64 payload of media (`b64_json`, audio `data`): one native regex pass and a signature check. */
function isBase64Blob(s: string): boolean {
  return s.length >= BLOB_MIN && BASE64_BLOB.test(s) && isBinaryBase64(s);
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
  /** Told when a subtree was replaced by TOO_DEEP. */
  cut?: () => void;
}

export function redactValue(v: unknown, redactString: StringRedactor, depth = 0): unknown {
  if (typeof v === 'string') return redactStringValue(v, redactString, depth);
  if (v === null || typeof v !== 'object') return v;
  if (depth > MAX_DEPTH) return redactDeep(v, redactString);
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
  const entries = Object.entries(v);
  let copy: Record<string, unknown> | null = null;
  for (let i = 0; i < entries.length; i++) {
    const [key, item] = entries[i]!;
    // keys are text a client chose (`{"13800138000": …}`); the credential check reads the key as sent
    const nextKey = key.length < 6 ? key : redactString(key);
    const keyed = typeof item === 'string' && redactString.keyed ? redactString.keyed(key, item) : null;
    const next = keyed ?? redactValue(item, redactString, depth + 1);
    if (copy === null && (next !== item || nextKey !== key)) {
      copy = {};
      for (let j = 0; j < i; j++) define(copy, entries[j]![0], entries[j]![1]);
    }
    if (copy !== null) define(copy, freeKey(copy, nextKey), next);
  }
  return copy ?? v;
}

/** An own data property even for `__proto__` (plain assignment would set the prototype). */
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Two keys redacted to the same placeholder must not overwrite each other. */
function freeKey(o: Record<string, unknown>, key: string): string {
  if (!Object.hasOwn(o, key)) return key;
  let n = 2;
  while (Object.hasOwn(o, `${key} #${n}`)) n++;
  return `${key} #${n}`;
}

/**
 * A subtree below MAX_DEPTH is redacted as its JSON text: the text scan sees through escapes and keeps the
 * text valid JSON, so it parses back to the same shape. Credential keys are then found by the text
 * detectors (`"password": "…"`), not by key. Past what JSON.stringify can serialise, the subtree is cut.
 */
function redactDeep(v: object, redactString: StringRedactor): unknown {
  let text: string;
  try {
    text = JSON.stringify(v);
  } catch {
    redactString.cut?.();
    return TOO_DEEP;
  }
  const out = redactString(text);
  if (out === text) return v;
  try {
    return JSON.parse(out) as unknown;
  } catch {
    // a finding that took a quote with it; the redacted text is still what must be kept
    return out;
  }
}

function redactStringValue(s: string, redactString: StringRedactor, depth: number): string {
  if (s.length < 6 || isBase64Blob(s)) return s;
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
