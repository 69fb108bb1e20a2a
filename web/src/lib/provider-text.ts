import type { ModelRoute } from '@llm-relay/contracts';

/** Textarea formats of the provider form: `Name: value` header lines and `pattern => upstream` model lines. */
export function headersToText(h: Record<string, string>): string {
  return Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

export function textToHeaders(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of s.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    if (k) out[k] = line.slice(i + 1).trim();
  }
  return out;
}

export function modelsToText(models: ModelRoute[]): string {
  return models.map((m) => (m.upstreamModel ? `${m.match} => ${m.upstreamModel}` : m.match)).join('\n');
}

export function textToModels(s: string): ModelRoute[] {
  const out: ModelRoute[] = [];
  for (const line of s.split('\n')) {
    const [match, upstream] = line.split('=>').map((x) => x.trim());
    if (!match) continue;
    out.push(upstream ? { match, upstreamModel: upstream } : { match });
  }
  return out;
}
