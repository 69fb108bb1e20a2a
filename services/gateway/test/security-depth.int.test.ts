import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_DEPTH_MAX } from '@llm-relay/contracts';
import { World, type TestKey } from './helpers.ts';

// Issue 13 item 5 (gateway side): a body nested deeper than JSON_DEPTH_MAX is refused before it is forwarded.
const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  ({ base, key } = await w.startWithMock());
});
afterAll(() => w.close());

/** A chat body whose nesting depth is exactly `depth` (the top-level object counts as 1). */
function bodyOfDepth(depth: number): string {
  const inner = depth - 2; // the top-level object, `x`, then arrays
  return `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"deep"}],"x":{"n":${'['.repeat(inner)}${']'.repeat(inner)}}}`;
}

const post = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body });

describe('nesting depth', () => {
  it(`serves ${JSON_DEPTH_MAX} levels and refuses one more, on model routes and pass-through`, async () => {
    expect(JSON_DEPTH_MAX).toBe(128);
    const ok = await post('/v1/chat/completions', bodyOfDepth(JSON_DEPTH_MAX));
    expect(ok.status).toBe(200);
    const before = w.mock.requests.length;
    for (const path of ['/v1/chat/completions', '/v1/moderations']) {
      for (const depth of [JSON_DEPTH_MAX + 1, 10_000]) {
        const res = await post(path, bodyOfDepth(depth));
        expect(res.status, `${path} ${depth}`).toBe(400);
        expect((await res.json()).error).toMatchObject({ code: 'json_too_deep', type: 'invalid_request_error' });
        const ev = await w.event(res.headers.get('x-request-id')!);
        expect(ev.response.status).toBe(400);
      }
    }
    expect(w.mock.requests.length).toBe(before);
  });
});
