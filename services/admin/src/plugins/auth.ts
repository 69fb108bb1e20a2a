import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RelayError } from '@llm-relay/contracts';
import { isStoreUnavailable, type AdminUser } from '@llm-relay/store';
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
/** after the store failed to answer, reads use the last user seen for this long before asking it again */
const STORE_RETRY_MS = 5000;
/** how long a read with a user to fall back on waits for the store */
const USER_READ_DEADLINE_MS = 2000;

/**
 * Authentication happens in onRequest, before the body is read and before a WebSocket upgrade:
 * a bearer token (scripts), the session cookie (browser) or, for the live socket, a single-use ticket.
 * The role comes from the store on every request, and a session is bound to the user's id and credential
 * version: deleting a user (even if the name is created again), changing their password or their role ends
 * every session issued before, at once.
 *
 * While the store is unreachable (a MongoDB outage), a read request is authorised with the user as the store
 * last returned it: the system page, which needs only Redis, must still show the outage. Users cannot change
 * meanwhile (that needs the store), and a request that changes something still needs the store.
 */
export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('user', null);
  const keys = adminKeys(app.env.REDIS_PREFIX);
  const lastSeen = new Map<string, AdminUser>();
  let storeFailedAt = 0;

  async function readUser(req: FastifyRequest, username: string): Promise<AdminUser | null> {
    const fallback = SAFE_METHODS.has(req.method) ? lastSeen.get(username) : undefined;
    // a store that just failed is not asked again for a while: each attempt waits for its server selection
    if (fallback && Date.now() - storeFailedAt < STORE_RETRY_MS) return fallback;
    const remember = (user: AdminUser | null) => {
      if (user) lastSeen.set(username, user);
      else lastSeen.delete(username);
      return user;
    };
    const read = app.store.getUser(username).then(remember);
    if (!fallback) return read;
    let timer: NodeJS.Timeout | undefined;
    // a frozen server answers nothing until the driver gives up on it (30 s and more): the fallback does not wait
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), USER_READ_DEADLINE_MS)));
    try {
      const user = await Promise.race([read, late]);
      if (user !== 'late') return user;
      read.catch(() => undefined);
      throw Object.assign(new Error(`the store did not answer in ${USER_READ_DEADLINE_MS} ms`), { storeUnavailable: true });
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      storeFailedAt = Date.now();
      req.log.warn({ err: (err as Error).message }, 'store unavailable: read authorised with the user last read');
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  async function fromToken(req: FastifyRequest, token: string, via: 'bearer' | 'cookie'): Promise<SessionUser | null> {
    const claims = await verifySession(app.jwtKey, token);
    if (!claims) return null;
    if (await app.redis.exists(keys.revoked(claims.jti))) return null;
    const user = await readUser(req, claims.username);
    if (!user || !sessionMatches(app.jwtKey, claims, user)) return null;
    return { username: user.username, role: user.role, session: claims, via };
  }

  async function fromTicket(req: FastifyRequest, ticket: string): Promise<SessionUser | null> {
    const raw = await app.redis.getdel(keys.wsTicket(ticket));
    if (!raw) return null;
    const { username, session } = JSON.parse(raw) as { username: string; session?: SessionClaims };
    if (session && (await app.redis.exists(keys.revoked(session.jti)))) return null;
    const user = await readUser(req, username);
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
    if (header?.toLowerCase().startsWith('bearer ')) user = await fromToken(req, header.slice(7).trim(), 'bearer');
    else if (ticket) user = await fromTicket(req, ticket);
    else if (cookie) user = await fromToken(req, cookie, 'cookie');
    if (!user) {
      throw new RelayError('unauthorized', header || cookie || ticket ? 'Invalid or expired session; log in again.' : 'Log in first: POST /admin/login.');
    }
    // SameSite=Strict already keeps the cookie off cross-site requests; the Origin check covers browsers that ignore it.
    if (user.via === 'cookie' && !SAFE_METHODS.has(req.method) && req.headers.origin && !isAllowedOrigin(req.headers.origin, requestHosts(req), app.env.CORS_ORIGINS)) {
      throw new RelayError('origin_not_allowed', `Origin ${req.headers.origin} may not change anything here.`);
    }
    if (RANK[user.role] < RANK[need]) throw new RelayError('forbidden', `This needs the ${need} role; you are ${user.role}.`);
    req.user = user;
  });
});

/** The authenticated user of a route that declared a role (the hook guarantees one). */
export function currentUser(req: FastifyRequest): SessionUser {
  if (!req.user) throw new RelayError('unauthorized', 'Log in first: POST /admin/login.');
  return req.user;
}
