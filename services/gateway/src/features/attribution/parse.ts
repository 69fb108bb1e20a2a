import type { IncomingHttpHeaders } from 'node:http';
import { ATTRIBUTION_LIMITS as L, RelayError, type Attribution } from '@llm-relay/contracts';

/** Every `x-relay-*` header is the relay's own: read here, never forwarded (upstream/headers.ts drops them). */
export const RELAY_HEADER_PREFIX = 'x-relay-';
const PROPERTY_PREFIX = 'x-relay-property-';

function outOfBounds(header: string, why: string): RelayError {
  return new RelayError('invalid_attribution', `Invalid \`${header}\` header: ${why}.`, { param: header });
}

function idValue(header: string, v: string): string | undefined {
  const t = v.trim();
  if (t.length > L.maxIdChars) throw outOfBounds(header, `at most ${L.maxIdChars} characters`);
  return t || undefined;
}

function tags(header: string, v: string): string[] | undefined {
  const out: string[] = [];
  for (const part of v.split(',')) {
    const t = part.trim();
    if (!t || out.includes(t)) continue;
    if (t.length > L.maxTagChars) throw outOfBounds(header, `a tag has at most ${L.maxTagChars} characters`);
    out.push(t);
  }
  if (out.length > L.maxTags) throw outOfBounds(header, `at most ${L.maxTags} tags`);
  return out.length ? out : undefined;
}

function prompt(header: string, v: string): Attribution['prompt'] {
  const t = v.trim();
  if (!t) return undefined;
  if (t.length > L.maxIdChars) throw outOfBounds(header, `at most ${L.maxIdChars} characters`);
  const at = t.lastIndexOf('@');
  const name = (at > 0 ? t.slice(0, at) : t).trim();
  const version = at > 0 ? t.slice(at + 1).trim() : '';
  if (!name || at === 0) throw outOfBounds(header, 'expected `<name>` or `<name>@<version>`');
  return version ? { name, version } : { name };
}

/**
 * Attribution from `x-relay-*` headers, or null when there is none. A handful of string operations per
 * request: one pass over the header names (node has lower-cased them), a prefix test on each. A value out
 * of ATTRIBUTION_LIMITS is a 400 naming the header.
 */
export function readAttributionHeaders(h: IncomingHttpHeaders): Attribution | null {
  let out: Attribution | null = null;
  let props = 0;
  for (const name in h) {
    // 'x' = 120: most headers are rejected on their first character
    if (name.charCodeAt(0) !== 120 || !name.startsWith(RELAY_HEADER_PREFIX)) continue;
    const raw = h[name];
    if (raw === undefined) continue;
    const v = Array.isArray(raw) ? raw.join(',') : raw;
    out ??= {};
    if (name === 'x-relay-user') out.user = idValue(name, v);
    else if (name === 'x-relay-session') out.session = idValue(name, v);
    else if (name === 'x-relay-tags') out.tags = tags(name, v);
    else if (name === 'x-relay-prompt') out.prompt = prompt(name, v);
    else if (name.startsWith(PROPERTY_PREFIX)) {
      const key = name.slice(PROPERTY_PREFIX.length);
      if (!L.propertyNamePattern.test(key)) throw outOfBounds(name, 'a property name is 1-64 of a-z 0-9 _ -');
      const value = v.trim();
      if (value.length > L.maxPropertyValueChars) throw outOfBounds(name, `at most ${L.maxPropertyValueChars} characters`);
      // node joins repeated headers into one name, so each name comes once: a counter is enough
      if (++props > L.maxProperties) throw outOfBounds(name, `at most ${L.maxProperties} x-relay-property-* headers`);
      (out.properties ??= {})[key] = value;
    }
  }
  return out;
}

/**
 * Adds what the body says (OpenAI's `user`; string values of `metadata`) where no header said otherwise.
 * The body belongs to the provider's API, which accepts it, so the body never causes a 400: a metadata key is
 * lower-cased like a header name and skipped when it still does not fit, a value is cut, and properties stop
 * at the limit.
 */
export function withBodyAttribution(a: Attribution | null, user: string | null, metadata: Record<string, unknown> | null): Attribution | null {
  if (user === null && metadata === null) return a;
  const out: Attribution = a ?? {};
  if (out.user === undefined && user) out.user = user.slice(0, L.maxIdChars);
  if (metadata) {
    for (const k in metadata) {
      const v = metadata[k];
      if (typeof v !== 'string') continue;
      const key = k.toLowerCase();
      if (!L.propertyNamePattern.test(key)) continue;
      const props = (out.properties ??= {});
      if (key in props) continue;
      if (Object.keys(props).length >= L.maxProperties) break;
      props[key] = v.slice(0, L.maxPropertyValueChars);
    }
  }
  return out.user === undefined && !out.properties && !out.session && !out.tags && !out.prompt ? a : out;
}

/** The event carries only what was sent: undefined fields are left out. */
export function compactAttribution(a: Attribution | null): Attribution | undefined {
  if (!a) return undefined;
  const out: Attribution = {};
  if (a.user !== undefined) out.user = a.user;
  if (a.session !== undefined) out.session = a.session;
  if (a.tags?.length) out.tags = a.tags;
  if (a.properties && Object.keys(a.properties).length) out.properties = a.properties;
  if (a.prompt) out.prompt = a.prompt;
  return Object.keys(out).length ? out : undefined;
}
