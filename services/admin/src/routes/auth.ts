import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { LoginAnswerSchema as LoginAnswer, RelayError } from '@llm-relay/contracts';
import { adminKeys } from '../admin-keys.ts';
import { audit } from '../features/audit.ts';
import { signSession } from '../features/auth/jwt.ts';
import { DUMMY_HASH, verifyPassword } from '../features/auth/passwords.ts';
import { createLoginLimiter } from '../features/auth/login-limiter.ts';
import { currentUser, SESSION_COOKIE } from '../plugins/auth.ts';
import { AUTH_ERRORS, errors, MeSchema } from '../schemas.ts';

const LoginBody = z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) });
const TICKET_TTL_SECONDS = 30;

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const keys = adminKeys(app.env.REDIS_PREFIX);
  const limiter = createLoginLimiter(app.redis, keys.loginFailures, app.env.LOGIN_MAX_ATTEMPTS, app.env.LOGIN_WINDOW_SECONDS);
  const secure = app.env.COOKIE_SECURE ?? app.env.NODE_ENV === 'production';

  app.post<{ Body: z.infer<typeof LoginBody> }>(
    '/admin/login',
    { schema: { tags: ['auth'], security: [], body: LoginBody, response: { 200: LoginAnswer, ...errors(400, 401, 429, 500) } } },
    async (req, reply) => {
      const { username, password } = req.body;
      const wait = await limiter.attempt(req.ip, username);
      if (wait > 0) throw new RelayError('too_many_login_attempts', `Too many failed logins; try again in ${wait} s.`, { headers: { 'retry-after': String(wait) } });
      const user = await app.store.getUser(username);
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (!user || !ok) {
        app.metrics.loginFailures.inc();
        req.log.warn({ username, ip: req.ip }, 'failed login');
        // the name typed, never the password; attempts the limiter already refused (429) are not written, so a
        // password-guessing run adds at most LOGIN_MAX_ATTEMPTS entries per address and name
        await audit(app, req, 'auth.login-failed', username, { ip: req.ip, reason: user ? 'wrong_password' : 'unknown_user' });
        throw new RelayError('invalid_credentials', 'Wrong username or password.');
      }
      await limiter.succeeded(req.ip, username);
      await audit(app, req, 'auth.login', user.username, { ip: req.ip }, user.username);
      const { token, claims } = await signSession(app.jwtKey, user, app.env.JWT_TTL_SECONDS);
      reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: app.env.JWT_TTL_SECONDS });
      return { token, expiresAt: claims.exp * 1000, user: { username: user.username, role: user.role } };
    },
  );

  app.post(
    '/admin/logout',
    { config: { role: 'viewer' }, schema: { tags: ['auth'], response: { 204: z.null(), ...errors(...AUTH_ERRORS) } } },
    async (req, reply) => {
      const session = currentUser(req).session;
      // revoke the token itself, not just the cookie: a copied bearer token stops working too
      if (session) {
        const ttl = session.exp - Math.floor(Date.now() / 1000);
        if (ttl > 0) await app.redis.set(keys.revoked(session.jti), '1', 'EX', ttl);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
      return reply.code(204).send();
    },
  );

  app.get('/admin/me', { config: { role: 'viewer' }, schema: { tags: ['auth'], response: { 200: MeSchema, ...errors(...AUTH_ERRORS) } } }, async (req) => {
    const u = currentUser(req);
    return { username: u.username, role: u.role };
  });

  app.post(
    '/admin/ws-ticket',
    { config: { role: 'viewer' }, schema: { tags: ['live'], response: { 200: z.object({ ticket: z.string() }), ...errors(...AUTH_ERRORS) } } },
    async (req) => {
      const ticket = randomBytes(24).toString('base64url');
      const { username, session } = currentUser(req);
      // the session travels with the ticket so the socket ends when the session does
      await app.redis.set(keys.wsTicket(ticket), JSON.stringify({ username, session }), 'EX', TICKET_TTL_SECONDS);
      return { ticket };
    },
  );
}
