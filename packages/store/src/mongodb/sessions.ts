import { SESSION_MAX_USERS, type SessionSummary, type Store } from '../port.ts';
import { parseSessionCursor, sessionCursor, type SessionDelta } from '../attribution.ts';
import type { Models, SessionDoc } from './models.ts';

type SessionMethods = Pick<Store, 'listSessions' | 'getSession'>;

/** The update that adds a batch's delta to a session document (created by the first). */
export function sessionUpdate(d: SessionDelta): Record<string, unknown> {
  return {
    $min: { firstAt: d.firstAt },
    $max: { lastAt: d.lastAt },
    $inc: { count: d.count, tokens: d.tokens, costUsd: d.costUsd, errors: d.errors },
    ...(d.users.length ? { $addToSet: { users: { $each: d.users } } } : {}),
  };
}

function toSummary(d: SessionDoc): SessionSummary {
  return {
    id: d._id,
    firstAt: d.firstAt,
    lastAt: d.lastAt,
    count: d.count,
    users: (d.users ?? []).slice(0, SESSION_MAX_USERS).sort(),
    tokens: d.tokens,
    costUsd: Math.round(d.costUsd * 1e6) / 1e6,
    errors: d.errors,
  };
}

const PROJECTION = { batches: 0 } as const;

export function mongoSessions(m: Models): SessionMethods {
  const coll = m.sessions.collection;
  return {
    async listSessions({ limit, cursor, user }) {
      const n = Math.max(1, Math.min(limit, 1000));
      const c = parseSessionCursor(cursor);
      const q: Record<string, unknown> = {};
      if (user !== undefined) q.users = user;
      if (c) q.$or = [{ lastAt: { $lt: c.lastAt } }, { lastAt: c.lastAt, _id: { $lt: c.id } }];
      const docs = (await coll.find(q as never, { projection: PROJECTION }).sort({ lastAt: -1, _id: -1 }).limit(n + 1).toArray()) as unknown as SessionDoc[];
      const items = docs.slice(0, n).map(toSummary);
      return { items, nextCursor: docs.length > n ? sessionCursor(items[items.length - 1]!) : null };
    },

    async getSession(id) {
      const d = (await coll.findOne({ _id: id } as never, { projection: PROJECTION })) as unknown as SessionDoc | null;
      return d ? toSummary(d) : null;
    },
  };
}
