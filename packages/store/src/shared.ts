import type { LogListItem, StoredLog } from '@llm-relay/contracts';
import { ROLLUP_LATENCY_BUCKETS, type Rollup } from './port.ts';
import { EMPTY_ATTRIBUTION } from './attribution.ts';

/** Buckets per roll-up row: one per upper bound plus the +Inf bucket. */
export const BUCKET_COUNT = ROLLUP_LATENCY_BUCKETS.length + 1;

/** Default page size for iterateLogs, retention and cost updates: small enough to keep a writer unblocked. */
export const DEFAULT_BATCH = 500;

/** The text full-text search runs over: the prompt/answer text when the processor gave it, else the previews. */
export function searchTextOf(log: StoredLog): string {
  return log.searchText ?? previewText(log);
}

export function previewText(log: Pick<LogListItem, 'requestPreview' | 'responsePreview'>): string {
  return `${log.requestPreview}\n${log.responsePreview}`;
}

/**
 * A search query becomes terms that must all occur (case-insensitively, as substrings).
 * Whitespace separates terms; a quoted part is one term, so `"rate limit"` finds that phrase.
 */
export function searchTerms(q: string): string[] {
  const terms: string[] = [];
  for (const m of q.matchAll(/"([^"]+)"|(\S+)/g)) {
    const t = (m[1] ?? m[2] ?? '').trim();
    if (t) terms.push(t);
  }
  return terms;
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The list view of a stored log: what list queries and exports without bodies return. */
export function toListItem(log: StoredLog): LogListItem {
  return {
    id: log.id,
    createdAt: log.createdAt,
    route: log.route,
    method: log.method,
    path: log.path,
    model: log.model,
    upstreamModel: log.upstreamModel,
    provider: log.provider,
    key: log.key,
    status: log.status,
    outcome: log.outcome,
    stream: log.stream,
    incomplete: log.incomplete,
    error: log.error,
    usage: log.usage,
    cost: log.cost,
    latency: log.latency,
    requestPreview: log.requestPreview,
    responsePreview: log.responsePreview,
    clientIp: log.clientIp,
    userAgent: log.userAgent,
    gatewayId: log.gatewayId,
    attribution: log.attribution ?? EMPTY_ATTRIBUTION,
    prompt: log.prompt ?? null,
    scores: log.scores ?? {},
  };
}

/** Yield to the event loop between batches so long maintenance jobs never monopolise the process. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Add up roll-up rows of the same (minute, dim, value): every other number is a sum and every array a
 * per-bucket count, so rows of single logs add up to the rows of their batch.
 */
export function sumRollups(rows: Rollup[]): Rollup[] {
  const out = new Map<string, Rollup>();
  for (const row of rows) {
    const k = `${row.minute}|${row.dim}|${row.value}`;
    const acc = out.get(k) as Record<string, unknown> | undefined;
    if (!acc) {
      out.set(k, structuredClone(row));
      continue;
    }
    for (const [field, v] of Object.entries(row)) {
      if (field === 'minute') continue;
      if (typeof v === 'number') acc[field] = ((acc[field] as number | undefined) ?? 0) + v;
      else if (Array.isArray(v)) acc[field] = v.map((n: number, i) => (((acc[field] as number[] | undefined)?.[i]) ?? 0) + n);
    }
  }
  return [...out.values()];
}
