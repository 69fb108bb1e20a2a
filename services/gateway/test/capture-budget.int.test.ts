import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { World, type TestKey } from './helpers.ts';

const BUDGET = 1024 * 1024;
const STREAMS = 24;

const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  // a per-body limit far above the budget: only the process-wide budget can bound what is held
  ({ base, key } = await w.startWithMock({ captureMaxBytes: 8 * 1024 * 1024 }, { CAPTURE_BUDGET_BYTES: String(BUDGET) }));
});
afterAll(() => w.close());

async function metrics(): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(gateway_[a-z_]+) (\S+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

function openStream(chunks: number): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  const body = JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'budget' }] });
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/v1/chat/completions`,
      { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-mock-chunks': String(chunks), 'x-mock-interval-ms': '0' } },
      (res) => resolve({ req, res }),
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('capture budget', () => {
  it('many non-reading clients of large streams: captured bytes held never exceed the budget, cut captures are flagged', async () => {
    // each answer is ~6 MB; the clients read nothing, so each stream holds what the socket buffers took
    const streams = await Promise.all(Array.from({ length: STREAMS }, () => openStream(20_000)));
    for (const s of streams) {
      expect(s.res.statusCode).toBe(200);
      s.res.pause();
      s.res.on('error', () => undefined);
    }
    await waitFor(async () => (await metrics()).gateway_streams_in_flight === STREAMS, { what: 'every stream in flight' });
    const seen = await waitFor(async () => {
      const m = await metrics();
      expect(m.gateway_capture_bytes_in_flight).toBeLessThanOrEqual(BUDGET);
      return m.gateway_capture_budget_truncated_total! > 0 ? m : undefined;
    }, { what: 'the budget to be used up' });
    expect(seen.gateway_capture_budget_bytes).toBe(BUDGET);
    expect(seen.gateway_capture_bytes_in_flight).toBeLessThanOrEqual(BUDGET);

    for (const s of streams) s.req.destroy();
    const events = await waitFor(async () => {
      const evs = await w.events();
      return evs.length >= STREAMS ? evs : undefined;
    }, { what: `${STREAMS} events` });
    const streamed = events.filter((e) => e.response.stream);
    expect(streamed).toHaveLength(STREAMS);
    const cut = streamed.filter((e) => e.response.body.truncated);
    expect(cut.length).toBeGreaterThan(0);
    for (const e of cut) expect(Buffer.byteLength(e.response.body.text ?? '')).toBeLessThan(e.response.body.bytes);
    // what was captured fits the budget: bodies + requests together
    const captured = events.reduce((n, e) => n + Buffer.byteLength(e.response.body.text ?? '') + Buffer.byteLength(e.request.body.text ?? ''), 0);
    expect(captured).toBeLessThanOrEqual(BUDGET);

    // once the events have left the process the budget is free again: a new answer is captured whole
    await waitFor(async () => (await metrics()).gateway_capture_bytes_in_flight === 0, { what: 'budget given back' });
    const res = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'after' }] });
    const ev = await waitFor(async () => (await w.events()).find((e) => !e.response.stream), { what: 'the plain event' });
    expect(ev.response.body.truncated).toBe(false);
    expect(JSON.parse(ev.response.body.text!).id).toBe(res.id);
  });
});
