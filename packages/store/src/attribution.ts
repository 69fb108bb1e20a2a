import type { LogListItem, StoredAttribution } from '@llm-relay/contracts';
import { SESSION_MAX_USERS, type RollupDim, type ScoreRollup, type SessionSummary } from './port.ts';
import { ALL_TIME_MINUTE, promptTotalDims } from './port-prompts.ts';

const MINUTE = 60_000;

export const EMPTY_ATTRIBUTION: StoredAttribution = Object.freeze({ user: null, session: null, tags: [], properties: {} }) as StoredAttribution;

export type DimSource = Pick<LogListItem, 'model' | 'upstreamModel' | 'key' | 'provider' | 'attribution' | 'prompt'>;

/**
 * The dimension values a log counts under in roll-ups (and so in score roll-ups): everything, its model,
 * key, project and provider, and whatever attribution it has (a log without a user is in no `user` row).
 */
export function rollupDims(log: DimSource): [RollupDim, string][] {
  const out: [RollupDim, string][] = [
    ['all', 'all'],
    ['model', log.model ?? log.upstreamModel ?? 'unknown'],
    ['key', log.key?.id ?? 'none'],
    ['provider', log.provider ?? 'none'],
  ];
  // only logs whose key belonged to a project (at the time of the call) count under `project`
  if (log.key?.projectId) out.push(['project', log.key.projectId]);
  const a = log.attribution;
  if (a) {
    if (a.user !== null) out.push(['user', a.user]);
    if (a.session !== null) out.push(['session', a.session]);
    for (const t of a.tags) out.push(['tag', t]);
    for (const name in a.properties) out.push([`property.${name}`, a.properties[name]!]);
  }
  if (log.prompt) {
    out.push(['prompt', log.prompt.familyId], ['promptVersion', log.prompt.versionId]);
  }
  return out;
}

export function minuteOf(t: number): number {
  return Math.floor(t / MINUTE) * MINUTE;
}

/**
 * Score roll-up increments for one log whose score `name` changed by `sum` (and `count` scores more or fewer):
 * per minute for each dimension, and the lifetime rows of its prompt family and version (the prompts pages).
 */
export function scoreRollupsFor(log: DimSource & Pick<LogListItem, 'createdAt'>, name: string, sum: number, count: number): ScoreRollup[] {
  const minute = minuteOf(log.createdAt);
  return [
    ...rollupDims(log).map(([dim, value]) => ({ minute, dim, value, name, sum, count })),
    ...promptTotalDims(log.prompt).map(([dim, value]) => ({ minute: ALL_TIME_MINUTE, dim, value, name, sum, count })),
  ];
}

/** One session's increments from a batch of newly stored logs. */
export type SessionDelta = Omit<SessionSummary, 'users'> & { users: string[] };

export function sessionDeltas(logs: (Pick<LogListItem, 'createdAt' | 'attribution' | 'usage' | 'cost' | 'outcome' | 'status'>)[]): SessionDelta[] {
  const by = new Map<string, SessionDelta>();
  for (const l of logs) {
    const s = l.attribution?.session;
    if (!s) continue;
    let d = by.get(s);
    if (!d) by.set(s, (d = { id: s, firstAt: l.createdAt, lastAt: l.createdAt, count: 0, users: [], tokens: 0, costUsd: 0, errors: 0 }));
    d.firstAt = Math.min(d.firstAt, l.createdAt);
    d.lastAt = Math.max(d.lastAt, l.createdAt);
    d.count += 1;
    d.tokens += l.usage.total ?? (l.usage.prompt ?? 0) + (l.usage.completion ?? 0);
    d.costUsd += l.cost.usd ?? 0;
    d.errors += l.outcome !== 'ok' || l.status >= 400 ? 1 : 0;
    const u = l.attribution?.user;
    if (u && !d.users.includes(u) && d.users.length < SESSION_MAX_USERS) d.users.push(u);
  }
  return [...by.values()];
}

/** Sessions pages are ordered by last activity: the cursor is `<lastAt>:<id>` of the last item seen. */
export function sessionCursor(s: Pick<SessionSummary, 'lastAt' | 'id'>): string {
  return `${s.lastAt}:${s.id}`;
}

export function parseSessionCursor(c: string | null | undefined): { lastAt: number; id: string } | null {
  if (!c) return null;
  const i = c.indexOf(':');
  const lastAt = Number(c.slice(0, i));
  return i > 0 && Number.isFinite(lastAt) ? { lastAt, id: c.slice(i + 1) } : null;
}
