import type { SessionSummary, Store } from '../port.ts';
import { parseSessionCursor, sessionCursor, type SessionDelta } from '../attribution.ts';
import type { Db } from './db.ts';
import type { Row, SqlValue } from './rows.ts';

const UPSERT = `INSERT INTO sessions (id, first_at, last_at, count, tokens, cost_usd, errors) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at),
  count = count + excluded.count, tokens = tokens + excluded.tokens, cost_usd = cost_usd + excluded.cost_usd, errors = errors + excluded.errors`;

/** Inside the caller's transaction (the log insert's), so a session counts each stored log once. */
export function applySessionDeltas(db: Db, deltas: SessionDelta[]): void {
  if (deltas.length === 0) return;
  const up = db.stmt(UPSERT);
  const user = db.stmt('INSERT OR IGNORE INTO session_users (user, session) VALUES (?, ?)');
  for (const d of deltas) {
    up.run(d.id, d.firstAt, d.lastAt, d.count, d.tokens, d.costUsd, d.errors);
    for (const u of d.users) user.run(u, d.id);
  }
}

type SessionMethods = Pick<Store, 'listSessions' | 'getSession'>;

export function sqliteSessions(db: Db): SessionMethods {
  function withUsers(rows: Row[]): SessionSummary[] {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id as string);
    const users = new Map<string, string[]>();
    const found = db.raw.prepare(`SELECT session, user FROM session_users WHERE session IN (${ids.map(() => '?').join(',')}) ORDER BY user`).all(...ids) as Row[];
    for (const u of found) {
      const list = users.get(u.session as string) ?? [];
      list.push(u.user as string);
      users.set(u.session as string, list);
    }
    return rows.map((r) => ({
      id: r.id as string,
      firstAt: r.first_at as number,
      lastAt: r.last_at as number,
      count: r.count as number,
      users: users.get(r.id as string) ?? [],
      tokens: r.tokens as number,
      costUsd: Math.round((r.cost_usd as number) * 1e6) / 1e6,
      errors: r.errors as number,
    }));
  }

  return {
    async listSessions({ limit, cursor, user }) {
      const n = Math.max(1, Math.min(limit, 1000));
      const c = parseSessionCursor(cursor);
      const conds: string[] = [];
      const params: SqlValue[] = [];
      if (c) {
        conds.push('(s.last_at < ? OR (s.last_at = ? AND s.id < ?))');
        params.push(c.lastAt, c.lastAt, c.id);
      }
      if (user !== undefined) {
        conds.push('s.id IN (SELECT session FROM session_users WHERE user = ?)');
        params.push(user);
      }
      const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
      const rows = db.stmt(`SELECT s.* FROM sessions s ${where} ORDER BY s.last_at DESC, s.id DESC LIMIT ?`).all(...params, n + 1) as Row[];
      const items = withUsers(rows.slice(0, n));
      return { items, nextCursor: rows.length > n ? sessionCursor(items[items.length - 1]!) : null };
    },

    async getSession(id) {
      const row = db.stmt('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
      return row ? withUsers([row])[0]! : null;
    },
  };
}
