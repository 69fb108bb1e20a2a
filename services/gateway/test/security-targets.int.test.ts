import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp } from '@llm-relay/testkit';
import { World, type TestKey } from './helpers.ts';

// Issue 13 items 1 and 3: a request target that names another host, or a path that climbs out of /v1,
// is refused before it is routed, forwarded or recorded.
const w = new World();
let port: number;
let key: TestKey;

beforeAll(async () => {
  const started = await w.startWithMock();
  key = started.key;
  port = Number(new URL(started.base).port);
});
afterAll(() => w.close());

const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const send = (target: string, method = 'POST', body = chat) =>
  rawHttp(port, `${method} ${target} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nauthorization: Bearer ${key.secret}\r\ncontent-type: application/json`, body);

function expectRefused(res: Awaited<ReturnType<typeof send>>): void {
  expect(res.status).toBe(400);
  const body = JSON.parse(res.body) as { error: { message: string; type: string; param: unknown; code: string } };
  expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request_target', param: null });
  expect(body.error.message).toEqual(expect.any(String));
  expect(res.headers['x-request-id']).toBeTruthy();
}

describe('request targets', () => {
  it('refuses absolute-form and authority-form targets, forwards nothing and records nothing', async () => {
    const before = w.mock.requests.length;
    expectRefused(await send('http://other-host.invalid/v1/chat/completions'));
    expectRefused(await send(`http://127.0.0.1:${port}/v1/chat/completions`));
    expectRefused(await send('//other-host.invalid/v1/chat/completions'));
    // authority-form: Node's parser refuses it with other methods, CONNECT is handed over; both answer alike
    expectRefused(await send('other-host.invalid:443'));
    expectRefused(await send('other-host.invalid:443', 'CONNECT', ''));
    expectRefused(await send('*', 'OPTIONS', ''));
    expect(w.mock.requests.length).toBe(before);
    // the same request in origin-form is served, so the refusals above are about the target alone
    const ok = await send('/v1/chat/completions');
    expect(ok.status).toBe(200);
    await w.event(ok.headers['x-request-id']!);
    const events = await w.events();
    expect(events.map((e) => e.request.path)).toEqual(['/v1/chat/completions']);
  });

  it('refuses dot segments, encoded dots and encoded slashes before anything reaches the provider', async () => {
    const before = w.mock.requests.length;
    const targets = [
      '/v1/../../internal',
      '/v1/../internal?x=1',
      '/v1/files/../../../internal',
      '/v1/%2e%2e/%2e%2e/internal',
      '/v1/%2E%2E/internal',
      '/v1/.%2e/internal',
      '/v1/./files',
      '/v1/files%2f..%2f..%2finternal',
      '/v1/files/..%5c..%5cinternal',
      '/v1/files/..\\..\\internal',
      '/v1/%252e%252e/%252e%252e/internal',
    ];
    for (const t of targets) {
      const res = await send(t, 'GET', '');
      expect(res.status, t).toBe(400);
      expectRefused(res);
    }
    expect(w.mock.requests.slice(before).map((r) => r.path)).toEqual([]);
    // dots inside a name and a literal percent are not segments: those still pass through
    const fine = await send('/v1/files/file-a.b.jsonl?after=..', 'GET', '');
    expect(fine.status).not.toBe(400);
    expect(w.mock.requests.at(-1)!.path).toBe('/v1/files/file-a.b.jsonl');
  });
});
