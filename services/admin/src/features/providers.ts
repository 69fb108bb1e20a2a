import { ProviderSchema, type Provider } from '@llm-relay/contracts';
import type { ProviderView } from '../schemas.ts';

/** `sk-…abcd`: enough to tell keys apart, too little to use. */
export function maskKey(key: string): string {
  return key.length >= 12 ? `${key.slice(0, 3)}…${key.slice(-4)}` : `…${key.slice(-2)}`;
}

export function toProviderView(p: Provider): ProviderView {
  return { ...p, apiKeys: p.apiKeys.map(maskKey), apiKeyCount: p.apiKeys.length };
}

/** An entry equal to the masked form of a stored key keeps that key; anything else is a new key. */
export function mergeApiKeys(stored: string[], sent: string[]): string[] {
  return sent.map((k) => stored.find((s) => maskKey(s) === k) ?? k);
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
