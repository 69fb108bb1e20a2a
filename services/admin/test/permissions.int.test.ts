import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setup, type TestContext } from './helper.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setup();
});
afterAll(async () => {
  await ctx?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
// every endpoint of docs/admin-api.md with the least role it needs; ids that do not exist keep admin calls harmless
const ENDPOINTS: [Method, string, 'viewer' | 'admin', unknown?][] = [
  ['GET', '/admin/me', 'viewer'],
  ['GET', '/admin/logs', 'viewer'],
  ['GET', '/admin/logs/no-such-log', 'viewer'],
  ['GET', '/admin/logs/export?format=csv', 'viewer'],
  ['GET', '/admin/stats', 'viewer'],
  ['GET', '/admin/system', 'viewer'],
  ['GET', '/admin/prompts', 'viewer'],
  ['GET', '/admin/prompts/nope', 'viewer'],
  ['PATCH', '/admin/prompts/nope', 'admin', { name: 'x' }],
  ['GET', '/admin/sessions', 'viewer'],
  ['GET', '/admin/sessions/nope', 'viewer'],
  ['PUT', '/admin/logs/nope/scores/no-such-score', 'admin', { value: 1 }],
  ['DELETE', '/admin/logs/nope/scores/no-such-score', 'admin'],
  ['POST', '/admin/ws-ticket', 'viewer'],
  ['GET', '/admin/settings', 'admin'],
  ['PUT', '/admin/settings', 'admin', {}],
  ['GET', '/admin/providers', 'admin'],
  ['POST', '/admin/providers', 'admin', {}],
  ['GET', '/admin/providers/nope', 'admin'],
  ['PUT', '/admin/providers/nope', 'admin', {}],
  ['DELETE', '/admin/providers/nope', 'admin'],
  ['POST', '/admin/providers/nope/test', 'admin'],
  ['GET', '/admin/api-keys', 'admin'],
  ['POST', '/admin/api-keys', 'admin', {}],
  ['PATCH', '/admin/api-keys/nope', 'admin', {}],
  ['POST', '/admin/api-keys/nope/rotate', 'admin'],
  ['DELETE', '/admin/api-keys/nope', 'admin'],
  ['GET', '/admin/projects', 'admin'],
  ['POST', '/admin/projects', 'admin', {}],
  ['GET', '/admin/projects/nope', 'admin'],
  ['PATCH', '/admin/projects/nope', 'admin', {}],
  ['DELETE', '/admin/projects/nope', 'admin'],
  ['POST', '/admin/logs/nope/replay', 'admin', { apiKey: 'x' }],
  ['POST', '/admin/failed-jobs/replay', 'admin'],
  ['GET', '/admin/users', 'admin'],
  ['POST', '/admin/users', 'admin', {}],
  ['DELETE', '/admin/users/nobody', 'admin'],
  ['GET', '/admin/audit', 'admin'],
];

const call = (method: Method, url: string, headers: Record<string, string>, payload?: unknown) =>
  ctx.app.inject({ method, url, headers: { accept: 'application/json', ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });

describe.each(ENDPOINTS)('%s %s (%s)', (method, url, role, payload) => {
  it('anonymous: 401 in the OpenAI error shape', async () => {
    const res = await call(method, url, {}, payload);
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ type: 'authentication_error', code: 'unauthorized' });
  });
  it(`viewer: ${role === 'viewer' ? 'allowed' : '403'}`, async () => {
    const res = await call(method, url, bearer(ctx.viewerToken), payload);
    if (role === 'viewer') expect([401, 403]).not.toContain(res.statusCode);
    else {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.type).toBe('permission_error');
    }
  });
  it('admin: allowed', async () => {
    const res = await call(method, url, bearer(ctx.adminToken), payload);
    expect([401, 403]).not.toContain(res.statusCode);
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('public endpoints', () => {
  it('/healthz, /metrics and /docs need no login', async () => {
    expect((await ctx.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', service: 'admin' });
    const metrics = await ctx.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('llm_relay_admin_http_request_duration_seconds');
    const doc = (await ctx.app.inject({ url: '/docs/json' })).json();
    for (const [method, url] of ENDPOINTS) {
      const path = url.split('?')[0]!.replace(/\/(nope|no-such-log|nobody|no-such-score)(?=\/|$)/g, (_m, seg) => (seg === 'nobody' ? '/{username}' : seg === 'no-such-score' ? '/{name}' : '/{id}'));
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path} in the OpenAPI document`).toBeTruthy();
    }
    expect(doc.paths['/admin/login'].post.responses['401']).toBeTruthy();
    expect((await ctx.app.inject({ url: '/docs' })).statusCode).toBeLessThan(400);
  });
  it('an unknown route answers 404 in the error shape', async () => {
    const res = await ctx.app.inject({ url: '/admin/nothing-here', headers: { accept: 'application/json' } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ type: 'invalid_request_error', code: 'unknown_url' });
  });
});
