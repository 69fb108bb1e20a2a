import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type TestKey } from './helpers.ts';

// Issue 13 item 9: a flood of requests without a valid key becomes a few metadata-only samples (at most one
// per client IP per second), not one stored row of attacker text per request; the rest are counted.
const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  ({ base, key } = await w.startWithMock());
});
afterAll(() => w.close());

async function unlogged(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('gateway_auth_rejected_unlogged_total '));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('anonymous floods', () => {
  it('300 keyless requests with 7 KB query and user agent: a bounded sample of metadata-only events, the rest counted', async () => {
    const filler = 'x'.repeat(7000);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `attacker text ${filler}` }] });
    const t0 = Date.now();
    let i = 0;
    const one = async () => {
      const n = i++;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': `ua-${n}-${filler}` };
      // half without a key, half with a made-up one: both are refused for the key
      if (n % 2) headers.authorization = `Bearer sk-relay-made-up-${n}`;
      const res = await fetch(`${base}/v1/chat/completions?q=${n}-${filler}`, { method: 'POST', headers, body });
      expect(res.status).toBe(401);
      expect((await res.json()).error.type).toBe('invalid_request_error');
    };
    const workers = Array.from({ length: 20 }, async () => {
      while (i < 300) await one();
    });
    await Promise.all(workers);
    const seconds = (Date.now() - t0) / 1000;

    // a caller with a valid key is recorded in full as before; once its event is queued, so are the flood's
    const ok = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const ev = await w.event(ok.response.headers.get('x-request-id')!);
    expect(ev.request.body.text).toContain('"hi"');

    const events = (await w.events()).filter((e) => e.response.status === 401);
    // one per second from this one address (plus the second the flood started in)
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(await unlogged()).toBe(300 - events.length);
    for (const e of events) {
      expect(e.key).toBeNull();
      expect(e.request.body.text).toBeUndefined();
      expect(e.response.body.text).toBeUndefined();
      expect(e.request.path.length).toBeLessThanOrEqual(512);
      expect(e.userAgent!.length).toBeLessThanOrEqual(256);
      expect(JSON.stringify(e).length).toBeLessThan(4096);
    }
  });
});
