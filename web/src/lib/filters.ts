import { foldLogFilterQuery, LogFilterSchema, type LiveFilter, type LogFilter } from '@llm-relay/contracts';
import { buildUrl } from './api.ts';

/** Every filter the admin API's GET /admin/logs accepts, in the order they appear in a URL. */
export const FILTER_KEYS = [
  'from',
  'to',
  'model',
  'provider',
  'keyId',
  'projectId',
  'status',
  'outcome',
  'route',
  'stream',
  'errorsOnly',
  'q',
  'user',
  'session',
  'tag',
  'prompt',
  'promptVersion',
  'scored',
] as const;

/**
 * Read filters from a URL query. Each field is validated by the contract's own schema, and a field
 * that does not parse is dropped rather than sent, so a hand-edited URL cannot break the page.
 */
export function filtersFromQuery(params: URLSearchParams): LogFilter {
  const out: Record<string, unknown> = {};
  const shape = LogFilterSchema.shape;
  for (const k of FILTER_KEYS) {
    const raw = params.get(k);
    if (raw === null || raw === '') continue;
    const parsed = shape[k].safeParse(raw);
    if (parsed.success && parsed.data !== undefined) out[k] = parsed.data;
  }
  // the open-ended filters travel as dotted keys (property.team=search, score.score.max=0)
  const dotted: Record<string, string> = {};
  for (const [k, v] of params) if ((k.startsWith('property.') || k.startsWith('score.')) && v !== '') dotted[k] = v;
  const folded = foldLogFilterQuery(dotted);
  for (const k of ['properties', 'scores'] as const) {
    if (folded[k] === undefined) continue;
    const parsed = shape[k].safeParse(folded[k]);
    if (parsed.success && parsed.data !== undefined) out[k] = parsed.data;
  }
  return out as LogFilter;
}

/** The inverse of filtersFromQuery; empty and false-y fields (except `stream=false`) are left out. */
export function filtersToQuery(f: LogFilter, extra: Record<string, string | undefined> = {}): URLSearchParams {
  const qs = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = f[k];
    if (v === undefined || v === null || v === '') continue;
    if (k === 'errorsOnly' && v === false) continue;
    qs.set(k, String(v));
  }
  for (const [name, value] of Object.entries(f.properties ?? {})) qs.set(`property.${name}`, value);
  for (const [name, b] of Object.entries(f.scores ?? {})) {
    if (b.min !== undefined) qs.set(`score.${name}.min`, String(b.min));
    if (b.max !== undefined) qs.set(`score.${name}.max`, String(b.max));
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== '') qs.set(k, v);
  return qs;
}

export function exportHref(f: LogFilter, format: 'jsonl' | 'csv', full = false): string {
  const qs = filtersToQuery(f, { format, full: full ? 'true' : undefined });
  return buildUrl('/logs/export') + (qs.size ? `?${qs}` : '');
}

export function hasHistoryOnlyFilters(f: LogFilter): boolean {
  return (
    f.from !== undefined ||
    f.to !== undefined ||
    f.status !== undefined ||
    f.outcome !== undefined ||
    f.stream !== undefined ||
    f.scored !== undefined ||
    f.scores !== undefined ||
    f.properties !== undefined
  );
}

/** The part of the log list's filters the live stream applies (LiveFilterSchema). */
export function liveFilter(f: LogFilter): LiveFilter {
  const out: LiveFilter = {};
  if (f.model) out.model = f.model;
  if (f.provider) out.provider = f.provider;
  if (f.keyId) out.keyId = f.keyId;
  if (f.projectId) out.projectId = f.projectId;
  if (f.route) out.route = f.route;
  if (f.errorsOnly) out.errorsOnly = true;
  if (f.q) out.q = f.q;
  for (const k of ['user', 'session', 'tag', 'prompt', 'promptVersion'] as const) if (f[k]) out[k] = f[k];
  return out;
}

/** `datetime-local` input value ⇄ epoch ms, in the browser's time zone. */
export function toLocalInput(ms: number | undefined): string {
  if (ms === undefined) return '';
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function fromLocalInput(v: string): number | undefined {
  if (!v) return undefined;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
