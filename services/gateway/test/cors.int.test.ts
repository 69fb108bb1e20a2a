import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type TestKey } from './helpers.ts';

// the admin UI's playground: a page on the admin's origin calls /v1 with a relay key it holds
const ADMIN_ORIGIN = 'http://127.0.0.1:7999';
const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  ({ base, key } = await w.startWithMock({}, { GATEWAY_CORS_ORIGINS: `${ADMIN_ORIGIN},http://other.example` }));
});
afterAll(() => w.close());

const preflight = (origin: string) =>
  fetch(`${base}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-relay-tags' },
  });

describe('browser calls from GATEWAY_CORS_ORIGINS', () => {
  it('answers a preflight from an allowed origin without authentication and without calling the provider', async () => {
    const before = w.mock.requests.length;
    const res = await preflight(ADMIN_ORIGIN);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ADMIN_ORIGIN);
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-relay-tags');
    expect(w.mock.requests.length).toBe(before);
  });

  it('gives a foreign origin no CORS headers (its preflight goes to auth and fails)', async () => {
    const res = await preflight('http://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.status).toBe(401);
  });

  it('lets an allowed page read a streamed answer and its log id', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: ADMIN_ORIGIN, authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'from the playground' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ADMIN_ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(await res.text()).toContain('[DONE]');
  });

  it('still requires the relay key for the call itself', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { origin: ADMIN_ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'no key' }] }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(ADMIN_ORIGIN);
  });
});
