import type { LogFilter, LogListItem, StoredLog } from '@llm-relay/contracts';
import { searchTerms } from '../shared.ts';
import { EMPTY_ATTRIBUTION } from '../attribution.ts';

export type SqlValue = string | number | null;
export type Row = Record<string, SqlValue>;

export const LIST_COLUMNS =
  'l.seq, l.id, l.created_at, l.route, l.method, l.path, l.model, l.upstream_model, l.provider, l.key_id, l.key_prefix, l.key_name, ' +
  'l.status, l.outcome, l.stream, l.incomplete, l.error, l.usage, l.cost, l.latency, l.request_preview, l.response_preview, ' +
  'l.client_ip, l.user_agent, l.gateway_id, l.bodies_expired, l.user_id, l.session_id, l.tags, l.properties, l.prompt, l.scores, l.project_id';

export const FULL_COLUMNS = `${LIST_COLUMNS}, b.detail, b.request_body, b.response_body, b.raw_stream`;

/** Parameters of the logs insert, in column order. */
export function logParams(log: StoredLog): SqlValue[] {
  const a = log.attribution ?? EMPTY_ATTRIBUTION;
  return [
    log.id,
    log.createdAt,
    log.route,
    log.method,
    log.path,
    log.model,
    log.upstreamModel,
    log.provider,
    log.key?.id ?? null,
    log.key?.prefix ?? null,
    log.key?.name ?? null,
    log.status,
    log.outcome,
    log.stream ? 1 : 0,
    log.incomplete ? 1 : 0,
    log.error,
    JSON.stringify(log.usage),
    JSON.stringify(log.cost),
    JSON.stringify(log.latency),
    log.requestPreview,
    log.responsePreview,
    log.clientIp,
    log.userAgent,
    log.gatewayId,
    log.bodiesExpired ? 1 : 0,
    a.user,
    a.session,
    JSON.stringify(a.tags),
    JSON.stringify(a.properties),
    log.prompt ? JSON.stringify(log.prompt) : null,
    log.prompt?.familyId ?? null,
    log.prompt?.versionId ?? null,
    JSON.stringify(log.scores ?? {}),
    log.key?.projectId ?? null,
  ];
}

/** The log_attrs rows of a log: its tags and properties, so filters on them use an index. */
export function attrRows(log: StoredLog): [k: string, v: string][] {
  const a = log.attribution;
  if (!a) return [];
  const out: [string, string][] = a.tags.map((t) => ['tag', t]);
  for (const name in a.properties) out.push([`p.${name}`, a.properties[name]!]);
  return out;
}

/** Parameters of the log_bodies insert after seq. */
export function bodyParams(log: StoredLog): SqlValue[] {
  const detail = {
    timing: log.timing,
    attempts: log.attempts,
    redactions: log.redactions,
    request: { headers: log.request.headers, bytes: log.request.bytes, truncated: log.request.truncated },
    response: { headers: log.response.headers, bytes: log.response.bytes, truncated: log.response.truncated },
  };
  return [JSON.stringify(detail), jsonOrNull(log.request.body), jsonOrNull(log.response.body), log.response.rawStream ?? null];
}

function jsonOrNull(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

export function rowToListItem(r: Row): LogListItem {
  return {
    id: r.id as string,
    createdAt: r.created_at as number,
    route: r.route as LogListItem['route'],
    method: r.method as string,
    path: r.path as string,
    model: r.model as string | null,
    upstreamModel: r.upstream_model as string | null,
    provider: r.provider as string | null,
    key: r.key_id === null ? null : keyRef(r),
    status: r.status as number,
    outcome: r.outcome as LogListItem['outcome'],
    stream: r.stream === 1,
    incomplete: r.incomplete === 1,
    error: r.error as string | null,
    usage: JSON.parse(r.usage as string),
    cost: JSON.parse(r.cost as string),
    latency: JSON.parse(r.latency as string),
    requestPreview: r.request_preview as string,
    responsePreview: r.response_preview as string,
    clientIp: r.client_ip as string | null,
    userAgent: r.user_agent as string | null,
    gatewayId: r.gateway_id as string | null,
    attribution: {
      user: (r.user_id as string | null) ?? null,
      session: (r.session_id as string | null) ?? null,
      tags: r.tags ? JSON.parse(r.tags as string) : [],
      properties: r.properties ? JSON.parse(r.properties as string) : {},
    },
    prompt: r.prompt ? JSON.parse(r.prompt as string) : null,
    scores: r.scores ? JSON.parse(r.scores as string) : {},
  };
}

function keyRef(r: Row): NonNullable<LogListItem['key']> {
  const key = { id: r.key_id as string, prefix: r.key_prefix as string, name: r.key_name as string };
  return r.project_id === null ? key : { ...key, projectId: r.project_id as string };
}

export function rowToLog(r: Row): StoredLog {
  const detail = JSON.parse(r.detail as string) as Pick<StoredLog, 'timing' | 'attempts' | 'redactions'> & {
    request: Omit<StoredLog['request'], 'body'>;
    response: Omit<StoredLog['response'], 'body' | 'rawStream'>;
  };
  const log: StoredLog = {
    ...rowToListItem(r),
    timing: detail.timing,
    attempts: detail.attempts,
    request: { ...detail.request, body: r.request_body === null ? null : JSON.parse(r.request_body as string) },
    response: {
      ...detail.response,
      body: r.response_body === null ? null : JSON.parse(r.response_body as string),
      rawStream: r.raw_stream as string | null,
    },
    redactions: detail.redactions,
  };
  if (r.bodies_expired === 1) log.bodiesExpired = true;
  return log;
}

/**
 * WHERE clause over `logs l` for a filter. `from` is inclusive and `to` exclusive (ms).
 * Each search term is a LIKE over the trigram index (terms of three or more characters use it;
 * shorter ones, such as a two-character Chinese word, scan the indexed text). An ESCAPE clause
 * would turn the index off, so a term containing `%` or `_` is confirmed with instr() instead
 * (lower() folds ASCII only, as LIKE does). With `matchTable`, the search matches were already
 * collected into that table (long exports: see iterateLogs).
 */
export function filterSql(f: LogFilter, matchTable?: string): { where: string; params: SqlValue[] } {
  const c: string[] = [];
  const p: SqlValue[] = [];
  const add = (cond: string, ...params: SqlValue[]) => {
    c.push(cond);
    p.push(...params);
  };
  if (f.from !== undefined) add('l.created_at >= ?', f.from);
  if (f.to !== undefined) add('l.created_at < ?', f.to);
  if (f.model !== undefined) add('l.model = ?', f.model);
  if (f.provider !== undefined) add('l.provider = ?', f.provider);
  if (f.keyId !== undefined) add('l.key_id = ?', f.keyId);
  if (f.projectId !== undefined) add('l.project_id = ?', f.projectId);
  if (f.status !== undefined) add('l.status = ?', f.status);
  if (f.outcome !== undefined) add('l.outcome = ?', f.outcome);
  if (f.route !== undefined) add('l.route = ?', f.route);
  if (f.stream !== undefined) add('l.stream = ?', f.stream ? 1 : 0);
  if (f.errorsOnly) c.push("(l.outcome <> 'ok' OR l.status >= 400)");
  if (f.user !== undefined) add('l.user_id = ?', f.user);
  if (f.session !== undefined) add('l.session_id = ?', f.session);
  if (f.prompt !== undefined) add('l.prompt_family = ?', f.prompt);
  if (f.promptVersion !== undefined) add('l.prompt_version = ?', f.promptVersion);
  if (f.tag !== undefined) add("l.seq IN (SELECT seq FROM log_attrs WHERE k = 'tag' AND v = ?)", f.tag);
  for (const name in f.properties ?? {}) add('l.seq IN (SELECT seq FROM log_attrs WHERE k = ? AND v = ?)', `p.${name}`, f.properties![name]!);
  if (f.scored !== undefined) c.push(f.scored ? "l.scores <> '{}'" : "l.scores = '{}'");
  for (const name in f.scores ?? {}) {
    // a JSON path with the name quoted: score names are [A-Za-z0-9_-] (contracts' SCORE_NAME_PATTERN)
    const path = `$."${name}".value`;
    const { min, max } = f.scores![name]!;
    add('json_extract(l.scores, ?) IS NOT NULL', path);
    if (min !== undefined) add('json_extract(l.scores, ?) >= ?', path, min);
    if (max !== undefined) add('json_extract(l.scores, ?) <= ?', path, max);
  }
  if (f.q !== undefined) {
    // unary + keeps the planner walking logs in id order and probing the table, instead of fetching
    // every match and sorting them again for each batch
    if (matchTable) c.push(`+l.seq IN (SELECT seq FROM ${matchTable})`);
    else {
      const search = searchSql(f.q);
      if (search) add(`l.seq IN (SELECT rowid FROM logs_fts WHERE ${search.sql})`, ...search.params);
    }
  }
  return { where: c.length ? c.join(' AND ') : '1', params: p };
}

/** Conditions on `logs_fts` for a search query; null when it has no terms. */
export function searchSql(q: string): { sql: string; params: SqlValue[] } | null {
  const terms = searchTerms(q);
  if (terms.length === 0) return null;
  const conds: string[] = [];
  const params: SqlValue[] = [];
  for (const t of terms) {
    conds.push('text LIKE ?');
    params.push(`%${t}%`);
    if (/[%_]/.test(t)) {
      conds.push('instr(lower(text), ?) > 0');
      params.push(t.replace(/[A-Z]/g, (ch) => ch.toLowerCase()));
    }
  }
  return { sql: conds.join(' AND '), params };
}
