import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, createRedis } from '@llm-relay/server-kit';
import { build } from '../src/app.ts';
import { bearer, JWT_SECRET, setup, type TestContext } from './helper.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
let built: TestContext;
let bare: TestContext;
beforeAll(async () => {
  bare = await setup({ CORS_ORIGINS: 'https://ui.example' });
  const dist = join(bare.dir.path, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>relay ui</title><script type="module" src="/admin/assets/app-1234.js"></script>');
  writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log("ui")');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  built = await setup({ WEB_DIST_DIR: dist });
});
afterAll(async () => {
  await Promise.all([built?.close(), bare?.close()]);
});

describe('serving the built UI', () => {
  it('gives index.html to browser navigations under /admin/, even where the API answers', async () => {
    for (const url of ['/admin/', '/admin/logs', '/admin/logs/some-id', '/admin/login', '/admin/settings']) {
      const res = await built.app.inject({ url, headers: { accept: BROWSER_ACCEPT } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('relay ui');
    }
    expect((await built.app.inject({ url: '/' })).headers.location).toBe('/admin/');
  });
  it('answers API calls at the same paths with JSON', async () => {
    const res = await built.app.inject({ url: '/admin/logs', headers: { accept: 'application/json', ...bearer(built.viewerToken) } });
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json().items).toEqual([]);
    const fetchDefault = await built.app.inject({ url: '/admin/logs', headers: { accept: '*/*' } });
    expect(fetchDefault.statusCode).toBe(401);
  });
  it('serves hashed assets with a long cache and other files as they are', async () => {
    const asset = await built.app.inject({ url: '/admin/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await built.app.inject({ url: '/admin/favicon.svg', headers: { accept: BROWSER_ACCEPT } })).body).toBe('<svg/>');
    expect((await built.app.inject({ url: '/admin/assets/missing.js' })).statusCode).toBe(404);
  });
  it('without a build, / and /admin/ say how to build it', async () => {
    for (const url of ['/', '/admin/']) {
      const res = await bare.app.inject({ url, headers: { accept: BROWSER_ACCEPT } });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('npm run build');
    }
  });
});

describe('headers, CORS and limits', () => {
  it('sends security headers and a request id on every answer', async () => {
    const res = await bare.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'x-request-id': 'trace-abc-123' });
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
  it('lets the log detail show images from the web, and only images', async () => {
    const csp = Object.fromEntries(
      String((await bare.app.inject({ url: '/admin/', headers: { accept: BROWSER_ACCEPT } })).headers['content-security-policy'])
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...sources]) => [name, sources]),
    );
    expect(csp['img-src']).toEqual(["'self'", 'data:', 'https:']);
    expect(csp['default-src']).toEqual(["'self'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    // and the relay's own origin, where the playground sends prompts from the browser
    expect(csp['connect-src']).toEqual(["'self'", 'ws:', 'wss:', new URL(bare.env.PROXY_BASE_URL).origin]);
    expect(csp['object-src']).toEqual(["'none'"]);
  });
  it('allows credentialed CORS for allow-listed origins only', async () => {
    const ok = await bare.app.inject({ method: 'OPTIONS', url: '/admin/logs', headers: { origin: 'https://ui.example', 'access-control-request-method': 'GET' } });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers).toMatchObject({ 'access-control-allow-origin': 'https://ui.example', 'access-control-allow-credentials': 'true' });
    expect(ok.headers['access-control-allow-headers']).toContain('authorization');
    const no = await bare.app.inject({ method: 'OPTIONS', url: '/admin/logs', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
    const get = await bare.app.inject({ url: '/admin/me', headers: { origin: 'https://evil.example', ...bearer(bare.adminToken) } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
  it('refuses a body over the limit in the error shape', async () => {
    const res = await bare.app.inject({ method: 'PUT', url: '/admin/settings', headers: { ...bearer(bare.adminToken), 'content-type': 'application/json' }, payload: JSON.stringify({ defaultModel: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ type: 'invalid_request_error' });
  });
  it('answers malformed JSON with a 400 in the error shape', async () => {
    const broken = await bare.app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/json' }, payload: '{"username":' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toBeTruthy();
  });
});

describe('when Redis is unreachable', () => {
  it('authenticated calls answer 503 in the error shape, not a 500', async () => {
    // a real client pointed at a port where no Redis listens
    const dead = createRedis('redis://127.0.0.1:1', 'client', { retryStrategy: () => null });
    dead.on('error', () => {});
    const app = await build({ env: bare.env, store: bare.store, redis: dead, jwtSecret: JWT_SECRET, logger: createLogger('t', 'silent') });
    try {
      const res = await app.inject({ url: '/admin/me', headers: bearer(bare.adminToken) });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('redis_unavailable');
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close().catch(() => {});
      dead.disconnect();
    }
  });
});
