import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { World, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  ({ base, key } = await w.startWithMock());
});
afterAll(() => w.close());

describe('graceful shutdown', () => {
  it('SIGTERM lets an in-flight stream finish, flushes its event and leaves the heartbeat', async () => {
    const stream = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'finish me' }] }, { headers: { 'x-mock-chunks': '40', 'x-mock-interval-ms': '25' } });
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    const exited = w.gateways[0]!.stop(20_000);
    // new requests while closing: a 503 in the OpenAI shape, or refused once the listener is closed
    const late = await waitFor(async () => {
      const r = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key.secret}` } }).catch(() => null);
      if (!r) return 'refused';
      return r.status === 503 ? ((await r.json()) as { error: { code: string } }).error.code : null;
    }, { what: 'refusal while closing' });
    expect(['gateway_shutting_down', 'refused']).toContain(late);
    let text = '';
    for (let r = await it.next(); !r.done; r = await it.next()) text += r.value.choices[0]?.delta?.content ?? '';
    expect(text).toContain('finish me');
    const code = await exited;
    expect(code).toBe(0);
    const ev = await waitFor(async () => (await w.events()).find((e) => e.route === 'chat.completions'), { what: 'event flushed at shutdown' });
    expect(ev.outcome).toBe('ok');
    expect(ev.response.body.text).toContain('data: [DONE]');
    expect(await w.redis.hlen(`${w.prefix}:gateways`)).toBe(0);
  });
});
