import { ProviderSchema, type Provider } from '@llm-relay/contracts';
import type { ProviderView } from '../schemas.ts';

/** `sk-…abcd`: enough to tell keys apart, too little to use. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 3)}…${key.slice(-4)}` : `…${key.slice(-2)}`;
}

/**
 * Custom headers that carry a credential (Azure's `api-key`, `authorization`, `x-api-key`, anything named like a
 * token, secret, key, password, cookie or signature) are masked like apiKeys wherever a provider is shown.
 */
const SECRET_HEADER = /^(?:authorization|proxy-authorization|api-key|x-api-key|cookie)$|token|secret|key|passw|signature|credential/i;
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

function maskHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSecretHeader(name) ? maskKey(value) : value]));
}

export function toProviderView(p: Provider): ProviderView {
  return { ...p, apiKeys: p.apiKeys.map(maskKey), apiKeyCount: p.apiKeys.length, headers: maskHeaders(p.headers) };
}

/** An entry equal to the masked form of a stored key keeps that key; anything else is a new key. */
export function mergeApiKeys(stored: string[], sent: string[]): string[] {
  return sent.map((k) => stored.find((s) => maskKey(s) === k) ?? k);
}

/** A secret header sent back in its masked form (the UI's form round trip) keeps its stored value. */
export function mergeHeaders(stored: Record<string, string>, sent: Record<string, string>): Record<string, string> {
  const byName = new Map(Object.entries(stored).map(([n, v]) => [n.toLowerCase(), v]));
  return Object.fromEntries(
    Object.entries(sent).map(([name, value]) => {
      const before = byName.get(name.toLowerCase());
      return [name, isSecretHeader(name) && before !== undefined && maskKey(before) === value ? before : value];
    }),
  );
}

export function slugId(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
}

export interface ProviderTestResult {
  ok: boolean;
  latencyMs: number;
  status: number | null;
  error: string | null;
  models?: string[];
}

/** "Test connection": GET {base}/models with the provider's first key, as the gateway would call it. */
export async function testProvider(p: Provider, timeoutMs = 10_000): Promise<ProviderTestResult> {
  const base = ProviderSchema.shape.baseUrl.parse(p.baseUrl).replace(/\/+$/, '');
  const key = p.apiKeys[0];
  const headers: Record<string, string> = { accept: 'application/json', ...p.headers };
  if (key) {
    if (p.type === 'anthropic') {
      headers['x-api-key'] = key;
      headers['anthropic-version'] ??= '2023-06-01';
    } else headers.authorization = `Bearer ${key}`;
  }
  const t0 = performance.now();
  try {
    const res = await fetch(`${base}/models`, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const text = await res.text();
    const latencyMs = Math.round(performance.now() - t0);
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: reported as is below
    }
    if (!res.ok) {
      const msg = (body as { error?: { message?: string } } | null)?.error?.message ?? text.slice(0, 300);
      return { ok: false, latencyMs, status: res.status, error: `HTTP ${res.status}: ${msg}` };
    }
    const data = (body as { data?: { id?: string }[] } | null)?.data;
    const models = Array.isArray(data) ? data.map((m) => String(m.id)).slice(0, 500) : undefined;
    return { ok: true, latencyMs, status: res.status, error: null, ...(models ? { models } : {}) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, latencyMs: Math.round(performance.now() - t0), status: null, error: reason };
  }
}
