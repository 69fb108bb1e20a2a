import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RelayError } from '@llm-relay/contracts';
import { sessionMatches, verifySession, type Role, type SessionClaims } from '../features/auth/jwt.ts';
import { adminKeys } from '../admin-keys.ts';
import { isAllowedOrigin, requestHosts } from './security.ts';

export const SESSION_COOKIE = 'llm_relay_session';

export interface SessionUser {
  username: string;
  role: Role;
  /** the session behind the request; for a WebSocket ticket, the session that asked for the ticket */
  session?: SessionClaims;
  via: 'bearer' | 'cookie' | 'ticket';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the least role a route needs; routes without one are public */
    role?: Role;
    /** accept a single-use `?ticket=` (the live WebSocket) */
    allowTicket?: boolean;
  }
  interface FastifyRequest {
    user: SessionUser | null;
  }
  interface FastifyInstance {
    /** whether a user authenticated earlier still is: not logged out, not deleted, same password and role */
    stillAuthenticated(user: SessionUser): Promise<boolean>;
  }
}

const RANK: Record<Role, number> = { viewer: 1, admin: 2 };
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authentication happens in onRequest, before the body is read and before a WebSocket upgrade:
 * a bearer token (scripts), the session cookie (browser) or, for the live socket, a single-use ticket.
 * The role comes from the store on every request, and a session is bound to the user's id and credential
 * version: deleting a user (even if the name is created again), changing their password or their role ends
 * every session issued before, at once.
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('user', null);
  const keys = adminKeys(app.env.REDIS_PREFIX);

  async function fromToken(token: string, via: 'bearer' | 'cookie'): Promise<SessionUser | null> {
    const claims = await verifySession(app.jwtKey, token);
    if (!claims) return null;
    if (await app.redis.exists(keys.revoked(claims.jti))) return null;
    const user = await app.store.getUser(claims.username);
    if (!user || !sessionMatches(app.jwtKey, claims, user)) return null;
    return { username: user.username, role: user.role, session: claims, via };
  }

  async function fromTicket(ticket: string): Promise<SessionUser | null> {
    const raw = await app.redis.getdel(keys.wsTicket(ticket));
    if (!raw) return null;
    const { username, session } = JSON.parse(raw) as { username: string; session?: SessionClaims };
    if (session && (await app.redis.exists(keys.revoked(session.jti)))) return null;
    const user = await app.store.getUser(username);
    if (!user || (session && !sessionMatches(app.jwtKey, session, user))) return null;
    return { username: user.username, role: user.role, via: 'ticket', ...(session ? { session } : {}) };
  }

  // a long-lived connection (the live socket) asks this again and again, so a logout, a password or role change
  // or a deleted user ends it too, not only the next request
  app.decorate('stillAuthenticated', async (user: SessionUser): Promise<boolean> => {
    const session = user.session;
    if (session && (await app.redis.exists(keys.revoked(session.jti)))) return false;
    const record = await app.store.getUser(user.username);
    if (!record) return false;
    return session ? sessionMatches(app.jwtKey, session, record) : record.role === user.role;
  });

  app.addHook('onRequest', async (req: FastifyRequest) => {
    const need = req.routeOptions.config?.role;
    if (!need) return;
    const header = req.headers.authorization;
    const cookie = req.cookies?.[SESSION_COOKIE];
    const ticket = req.routeOptions.config.allowTicket ? (req.query as Record<string, string | undefined>)?.ticket : undefined;
    let user: SessionUser | null = null;
    if (header?.toLowerCase().startsWith('bearer ')) user = await fromToken(header.slice(7).trim(), 'bearer');
    else if (ticket) user = await fromTicket(ticket);
    else if (cookie) user = await fromToken(cookie, 'cookie');
    if (!user) {
      throw new RelayError(401, 'unauthorized', header || cookie || ticket ? 'Invalid or expired session; log in again.' : 'Log in first: POST /admin/login.');
    }
    // SameSite=Strict already keeps the cookie off cross-site requests; the Origin check covers browsers that ignore it.
    if (user.via === 'cookie' && !SAFE_METHODS.has(req.method) && req.headers.origin && !isAllowedOrigin(req.headers.origin, requestHosts(req), app.env.CORS_ORIGINS)) {
      throw new RelayError(403, 'origin_not_allowed', `Origin ${req.headers.origin} may not change anything here.`);
    }
    if (RANK[user.role] < RANK[need]) throw new RelayError(403, 'forbidden', `This needs the ${need} role; you are ${user.role}.`);
    req.user = user;
  });
});

/** The authenticated user of a route that declared a role (the hook guarantees one). */
export function currentUser(req: FastifyRequest): SessionUser {
  if (!req.user) throw new RelayError(401, 'unauthorized', 'Log in first: POST /admin/login.');
  return req.user;
}
