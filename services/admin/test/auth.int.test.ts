import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { credentialVersion, JWT_AUDIENCE, JWT_ISSUER } from '../src/features/auth/jwt.ts';
import { adminKeys } from '../src/admin-keys.ts';
import { ADMIN, bearer, JWT_SECRET, setup, VIEWER, type TestContext } from './helper.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setup({ LOGIN_MAX_ATTEMPTS: '3' });
});
afterAll(async () => {
  await ctx?.close();
});

const key = new TextEncoder().encode(JWT_SECRET);
/** a token bound to the admin's current record, as a login would issue it */
const sign = async (claims: Record<string, unknown>, opts: { alg?: string; iss?: string; aud?: string; exp?: number | string; key?: Uint8Array } = {}) => {
  const admin = (await ctx.store.getUser(ADMIN.username))!;
  return signRaw({ uid: admin.id, cv: credentialVersion(key, admin), ...claims }, opts);
};
const signRaw = (claims: Record<string, unknown>, opts: { alg?: string; iss?: string; aud?: string; exp?: number | string; key?: Uint8Array } = {}) =>
  new SignJWT({ role: 'admin', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setSubject(ADMIN.username)
    .setJti('jti-' + Math.random())
    .setIssuer(opts.iss ?? JWT_ISSUER)
    .setAudience(opts.aud ?? JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '1h')
    .sign(opts.key ?? key);
const me = (headers: Record<string, string>) => ctx.app.inject({ url: '/admin/me', headers });

describe('login', () => {
  it('returns a token and sets an httpOnly SameSite=Strict cookie that authenticates', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: ADMIN });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toEqual({ username: ADMIN.username, role: 'admin' });
    expect(body.expiresAt).toBeGreaterThan(Date.now());
    const cookie = res.cookies.find((c) => c.name === 'llm_relay_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    expect(cookie.value).toBe(body.token);
    const viaCookie = await ctx.app.inject({ url: '/admin/me', cookies: { llm_relay_session: cookie.value } });
    expect(viaCookie.json()).toEqual({ username: ADMIN.username, role: 'admin' });
  });

  it('refuses a wrong password or unknown user with one error shape', async () => {
    for (const payload of [{ username: ADMIN.username, password: 'nope' }, { username: 'ghost', password: 'nope' }]) {
      const res = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload, remoteAddress: '10.9.9.9' });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ type: 'authentication_error', code: 'invalid_credentials' });
      expect(res.headers['x-request-id']).toBeTruthy();
    }
  });

  it('rate-limits failed attempts per IP and username, in Redis', async () => {
    const attempt = (password: string, remoteAddress = '10.1.1.1') =>
      ctx.app.inject({ method: 'POST', url: '/admin/login', payload: { username: VIEWER.username, password }, remoteAddress });
    for (let i = 0; i < 3; i++) expect((await attempt('wrong')).statusCode).toBe(401);
    const blocked = await attempt(VIEWER.password);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(await ctx.redis.exists(adminKeys(ctx.prefix).loginFailures('10.1.1.1', VIEWER.username))).toBe(1);
    // X-Forwarded-For is not believed unless TRUST_PROXY says so: a client cannot pick a fresh address
    const spoofed = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: VIEWER, remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': '10.7.7.7' } });
    expect(spoofed.statusCode).toBe(429);
    // another address still logs in
    expect((await attempt(VIEWER.password, '10.1.1.2')).statusCode).toBe(200);
  });

  it('writes successful and failed logins to the audit log, never the password', async () => {
    const typed = 'typed-wrong-password-7';
    const ok = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: ADMIN, remoteAddress: '10.4.4.4' });
    expect(ok.statusCode).toBe(200);
    const bad = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: { username: ADMIN.username, password: typed }, remoteAddress: '10.4.4.5' });
    expect(bad.statusCode).toBe(401);
    const ghost = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: { username: 'ghost-4', password: typed }, remoteAddress: '10.4.4.6' });
    expect(ghost.statusCode).toBe(401);
    const items = (await ctx.app.inject({ url: '/admin/audit?limit=3', headers: bearer(ctx.adminToken) })).json().items;
    expect(items).toEqual([
      expect.objectContaining({ actor: 'anonymous', action: 'auth.login-failed', target: 'ghost-4', details: { ip: '10.4.4.6', reason: 'unknown_user' } }),
      expect.objectContaining({ actor: 'anonymous', action: 'auth.login-failed', target: ADMIN.username, details: { ip: '10.4.4.5', reason: 'wrong_password' } }),
      expect.objectContaining({ actor: ADMIN.username, action: 'auth.login', target: ADMIN.username, details: { ip: '10.4.4.4' } }),
    ]);
    const everything = JSON.stringify(await ctx.store.listAudit({ limit: 1000 }));
    expect(everything).not.toContain(typed);
    expect(everything).not.toContain(ADMIN.password);
  });

  it('validates the body', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: { username: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.param).toBe('password');
  });
});

describe('logout', () => {
  it('clears the cookie and revokes the token itself', async () => {
    const login = await ctx.app.inject({ method: 'POST', url: '/admin/login', payload: VIEWER });
    const token = login.json().token;
    expect((await me(bearer(token))).statusCode).toBe(200);
    const out = await ctx.app.inject({ method: 'POST', url: '/admin/logout', headers: bearer(token) });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === 'llm_relay_session')?.value).toBe('');
    expect((await me(bearer(token))).statusCode).toBe(401);
  });
});

describe('JWT attacks are refused', () => {
  it('accepts a correctly signed token (control)', async () => {
    expect((await me(bearer(await sign({})))).statusCode).toBe(200);
  });
  it('a correctly signed token not bound to the user record (no uid/cv, or another credential version)', async () => {
    expect((await me(bearer(await signRaw({})))).statusCode).toBe(401);
    expect((await me(bearer(await sign({ cv: 'x'.repeat(22) })))).statusCode).toBe(401);
  });
  it('alg: none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const now = Math.floor(Date.now() / 1000);
    const payload = base64url.encode(JSON.stringify({ sub: ADMIN.username, role: 'admin', jti: 'x', iss: JWT_ISSUER, aud: JWT_AUDIENCE, iat: now, exp: now + 3600 }));
    expect((await me(bearer(`${header}.${payload}.`))).statusCode).toBe(401);
  });
  it('algorithm switch to HS512 with the same secret, and to RS256 with another key', async () => {
    expect((await me(bearer(await sign({}, { alg: 'HS512' })))).statusCode).toBe(401);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rs = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'RS256' }).setSubject(ADMIN.username).setJti('j').setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setExpirationTime('1h').sign(privateKey);
    expect((await me(bearer(rs))).statusCode).toBe(401);
  });
  it('expired', async () => {
    expect((await me(bearer(await sign({}, { exp: Math.floor(Date.now() / 1000) - 60 })))).statusCode).toBe(401);
  });
  it('wrong audience and wrong issuer', async () => {
    expect((await me(bearer(await sign({}, { aud: 'someone-else' })))).statusCode).toBe(401);
    expect((await me(bearer(await sign({}, { iss: 'someone-else' })))).statusCode).toBe(401);
  });
  it('signed with another secret', async () => {
    expect((await me(bearer(await sign({}, { key: new TextEncoder().encode('x'.repeat(48)) })))).statusCode).toBe(401);
  });
  it('tampered payload (viewer promoted to admin)', async () => {
    const [h, p, s] = ctx.viewerToken.split('.');
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p!)));
    const forged = `${h}.${base64url.encode(JSON.stringify({ ...claims, role: 'admin' }))}.${s}`;
    expect((await me(bearer(forged))).statusCode).toBe(401);
    expect((await ctx.app.inject({ url: '/admin/settings', headers: bearer(forged) })).statusCode).toBe(401);
  });
  it('a valid token for a user that was deleted', async () => {
    const token = await new SignJWT({ role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject('deleted-user').setJti('j2').setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setExpirationTime('1h').sign(key);
    expect((await me(bearer(token))).statusCode).toBe(401);
  });
});

describe('cookie sessions and other origins', () => {
  it('refuses a state change with the cookie from a foreign Origin, allows the same host', async () => {
    const cookies = { llm_relay_session: ctx.adminToken };
    const foreign = await ctx.app.inject({ method: 'PUT', url: '/admin/settings', cookies, headers: { origin: 'https://evil.example', host: 'relay.local' }, payload: { httpMaxRetries: 1 } });
    expect(foreign.statusCode).toBe(403);
    const same = await ctx.app.inject({ method: 'PUT', url: '/admin/settings', cookies, headers: { origin: 'http://relay.local', host: 'relay.local' }, payload: { httpMaxRetries: 1 } });
    expect(same.statusCode).toBe(200);
  });

  // Behind the edge the browser's host may arrive as X-Forwarded-Host while Host names the admin container.
  const behindProxy = (on: TestContext, origin: string, opts: { forwardedHost?: string; remoteAddress?: string } = {}) =>
    on.app.inject({
      method: 'PUT',
      url: '/admin/settings',
      cookies: { llm_relay_session: on.adminToken },
      headers: { origin, host: 'admin:8080', ...(opts.forwardedHost ? { 'x-forwarded-host': opts.forwardedHost } : {}) },
      remoteAddress: opts.remoteAddress ?? '127.0.0.1',
      payload: { httpMaxRetries: 1 },
    });
  it('with TRUST_PROXY, accepts the Origin the proxy names in X-Forwarded-Host', async () => {
    const proxied = await setup({ TRUST_PROXY: '127.0.0.1' });
    try {
      const forwardedHost = 'relay.example.com';
      expect((await behindProxy(proxied, 'https://relay.example.com', { forwardedHost })).statusCode).toBe(200);
      expect((await behindProxy(proxied, 'http://admin:8080')).statusCode).toBe(200);
      expect((await behindProxy(proxied, 'https://evil.example', { forwardedHost })).statusCode).toBe(403);
      // the header counts only from a trusted proxy: a client talking to admin directly cannot name its own host
      expect((await behindProxy(proxied, 'https://relay.example.com', { forwardedHost, remoteAddress: '10.0.0.9' })).statusCode).toBe(403);
    } finally {
      await proxied.close();
    }
  });
  it('without TRUST_PROXY, ignores X-Forwarded-Host', async () => {
    const res = await behindProxy(ctx, 'https://relay.example.com', { forwardedHost: 'relay.example.com' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('origin_not_allowed');
  });
});
