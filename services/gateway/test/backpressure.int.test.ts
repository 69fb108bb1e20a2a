import { request } from 'node:http';
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

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

describe('backpressure', () => {
  it('a client that stops reading stops the relay reading upstream; the stream completes once it reads again', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'x'.repeat(1000) }] });
    // ~40 MB of SSE: far more than socket buffers on both sides can hold
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-mock-chunks': '200000' } }, resolve);
      req.on('error', reject);
      req.end(body);
    });
    expect(res.statusCode).toBe(200);
    res.pause();
    await waitFor(async () => (await metric('gateway_streams_in_flight')) === 1, { what: 'stream in flight' });
    // nothing to await for "still stuck": give the relay time in which an unbounded buffer would have finished
    await new Promise((r) => setTimeout(r, 1500));
    expect(await metric('gateway_streams_in_flight')).toBe(1);
    expect(await w.events()).toHaveLength(0);
    const rss = await metric('process_resident_memory_bytes');
    expect(rss).toBeLessThan(400 * 1024 * 1024);

    let bytes = 0;
    let tail = '';
    res.on('data', (c: Buffer) => {
      bytes += c.length;
      tail = (tail + c.toString()).slice(-100);
    });
    res.resume();
    await new Promise((r) => res.once('end', r));
    expect(tail).toContain('data: [DONE]');
    const ev = await waitFor(async () => (await w.events())[0], { what: 'event' });
    expect(ev.outcome).toBe('ok');
    expect(ev.response.body.bytes).toBeGreaterThan(bytes);
  });
});
