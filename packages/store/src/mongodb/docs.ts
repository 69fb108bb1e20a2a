import { isUnpricedCall, type LogFilter, type LogListItem, type StoredLog } from '@llm-relay/contracts';
import type { StoreInfo } from '../port.ts';
import { escapeRegex, previewText, searchTerms, searchTextOf, toListItem } from '../shared.ts';
import { EMPTY_ATTRIBUTION } from '../attribution.ts';
import type { LogDoc } from './models.ts';

/** The fields list queries read: never bodies, detail or search text. */
export const LIST_PROJECTION = {
  createdAt: 1, route: 1, method: 1, path: 1, model: 1, upstreamModel: 1, provider: 1, key: 1, status: 1, outcome: 1,
  stream: 1, incomplete: 1, error: 1, usage: 1, cost: 1, latency: 1, requestPreview: 1, responsePreview: 1,
  clientIp: 1, userAgent: 1, gatewayId: 1, attribution: 1, prompt: 1, scores: 1,
} as const;
export const FULL_PROJECTION = { searchText: 0, createdAtDate: 0, unpricedAt: 0 } as const;

export function toDoc(log: StoredLog): LogDoc {
  const { id, ...item } = toListItem(log);
  return {
    _id: id,
    ...item,
    bodiesExpired: log.bodiesExpired ?? false,
    detail: {
      timing: log.timing,
      attempts: log.attempts,
      redactions: log.redactions,
      request: { headers: log.request.headers, bytes: log.request.bytes, truncated: log.request.truncated },
      response: { headers: log.response.headers, bytes: log.response.bytes, truncated: log.response.truncated },
    },
    requestBody: log.request.body === undefined ? null : JSON.stringify(log.request.body),
    responseBody: log.response.body === undefined ? null : JSON.stringify(log.response.body),
    rawStream: log.response.rawStream ?? null,
    searchText: log.bodiesExpired ? previewText(log) : searchTextOf(log),
    createdAtDate: new Date(log.createdAt),
    ...(isUnpricedCall(log) ? { unpricedAt: log.createdAt } : {}),
  };
}

export function docToListItem(d: Partial<LogDoc> & { _id: string }): LogListItem {
  return {
    id: d._id,
    createdAt: d.createdAt!,
    route: d.route!,
    method: d.method!,
    path: d.path!,
    model: d.model ?? null,
    upstreamModel: d.upstreamModel ?? null,
    provider: d.provider ?? null,
    key: d.key ?? null,
    status: d.status!,
    outcome: d.outcome!,
    stream: d.stream!,
    incomplete: d.incomplete!,
    error: d.error ?? null,
    usage: d.usage!,
    cost: d.cost!,
    latency: d.latency!,
    requestPreview: d.requestPreview!,
    responsePreview: d.responsePreview!,
    clientIp: d.clientIp ?? null,
    userAgent: d.userAgent ?? null,
    gatewayId: d.gatewayId ?? null,
    attribution: d.attribution ?? EMPTY_ATTRIBUTION,
    prompt: d.prompt ?? null,
    scores: d.scores ?? {},
  };
}

export function docToLog(d: LogDoc): StoredLog {
  const log: StoredLog = {
    ...docToListItem(d),
    timing: d.detail.timing,
    attempts: d.detail.attempts,
    request: { ...d.detail.request, body: d.requestBody === null ? null : JSON.parse(d.requestBody) },
    response: { ...d.detail.response, body: d.responseBody === null ? null : JSON.parse(d.responseBody), rawStream: d.rawStream ?? null },
    redactions: d.detail.redactions,
  };
  if (d.bodiesExpired) log.bodiesExpired = true;
  return log;
}

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]/;

/**
 * A MongoDB query for a filter. `from` inclusive, `to` exclusive. Search uses the text index when the
 * server has one and the query has no CJK text (a text index does not split Chinese into words);
 * otherwise every term must occur as a case-insensitive substring, which scans but needs no index.
 */
export function mongoFilter(f: LogFilter, features: StoreInfo['features']): Record<string, unknown> {
  const q: Record<string, unknown> = {};
  if (f.from !== undefined || f.to !== undefined) {
    q.createdAt = { ...(f.from !== undefined ? { $gte: f.from } : {}), ...(f.to !== undefined ? { $lt: f.to } : {}) };
  }
  if (f.model !== undefined) q.model = f.model;
  if (f.provider !== undefined) q.provider = f.provider;
  if (f.keyId !== undefined) q['key.id'] = f.keyId;
  if (f.projectId !== undefined) q['key.projectId'] = f.projectId;
  if (f.status !== undefined) q.status = f.status;
  if (f.outcome !== undefined) q.outcome = f.outcome;
  if (f.route !== undefined) q.route = f.route;
  if (f.stream !== undefined) q.stream = f.stream;
  if (f.errorsOnly) q.$or = [{ outcome: { $ne: 'ok' } }, { status: { $gte: 400 } }];
  const and: Record<string, unknown>[] = [];
  if (f.user !== undefined) q['attribution.user'] = f.user;
  if (f.session !== undefined) q['attribution.session'] = f.session;
  if (f.tag !== undefined) q['attribution.tags'] = f.tag;
  if (f.prompt !== undefined) q['prompt.familyId'] = f.prompt;
  if (f.promptVersion !== undefined) q['prompt.versionId'] = f.promptVersion;
  // property names are [a-z0-9_-] and score names [A-Za-z0-9_-] (contracts): safe as path segments
  for (const name in f.properties ?? {}) q[`attribution.properties.${name}`] = f.properties![name];
  if (f.scored === true) and.push({ scores: { $exists: true, $ne: {} } });
  if (f.scored === false) and.push({ $or: [{ scores: { $exists: false } }, { scores: {} }] });
  for (const name in f.scores ?? {}) {
    const { min, max } = f.scores![name]!;
    and.push({ [`scores.${name}.value`]: { $exists: true, ...(min !== undefined ? { $gte: min } : {}), ...(max !== undefined ? { $lte: max } : {}) } });
  }
  if (f.q !== undefined) {
    const terms = searchTerms(f.q);
    if (features.textSearch && !CJK.test(f.q)) {
      // quoted terms are ANDed phrases, matching the substring semantics of the other paths as closely as words allow
      q.$text = { $search: terms.map((t) => `"${t.replace(/"/g, '')}"`).join(' ') };
    } else if (terms.length > 0) {
      and.push(...terms.map((t) => ({ searchText: { $regex: escapeRegex(t), $options: 'i' } })));
    }
  }
  if (and.length > 0) q.$and = and;
  return q;
}
