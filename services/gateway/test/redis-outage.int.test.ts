import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnRedis, waitFor } from '@llm-relay/testkit';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const own = new OwnRedis();
let w: World;
let base: string;
let key: TestKey;
let limited: TestKey;
const sent: string[] = [];

beforeAll(async () => {
  await own.start();
  w = new World(own.url);
  const mock = await w.startMock();
  key = makeKey();
  limited = makeKey({ limits: { rpm: 100_000 } });
  await w.snapshot([provider({ baseUrl: mock.url })], [key.record, limited.record]);
  base = await w.startGateway({ ENQUEUE_BATCH_MS: '2' });
});
afterAll(async () => {
  await w.close();
  await own.remove();
});

async function burst(n: number, label: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const k = i % 2 ? limited : key;
    const stream = i % 3 === 0;
    const { data, response } = await w.client(base, k.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${label} ${i}` }], ...(stream ? { stream: true } : {}) }).withResponse();
    if (stream) {
      let text = '';
      for await (const c of data as AsyncIterable<{ choices: { delta?: { content?: string } }[] }>) text += c.choices[0]?.delta?.content ?? '';
      expect(text).toContain(`${label} ${i}`);
    }
    sent.push(response.headers.get('x-request-id')!);
  }
}

interface Readyz {
  journalBytes: number;
  journalUnqueued: number;
  journalWaiting: number;
  dropped: number;
  redis: string;
}
async function readyz(): Promise<Readyz> {
  return (await fetch(`${base}/readyz`)).json() as Promise<Readyz>;
}

describe('Redis outage', () => {
  it('keeps answering while Redis is frozen or down, then the queue holds exactly one event per request', async () => {
    await burst(10, 'before');
    // jobs are batches of events: count the events
    await waitFor(async () => (await w.events()).length === 10, { what: 'first events' });

    // a frozen Redis accepts connections but never answers: enqueue and limits time out, nothing waits on them
    own.freeze();
    await burst(10, 'frozen');
    own.thaw();

    await own.kill();
    await burst(15, 'down');
    await waitFor(async () => (await readyz()).journalUnqueued > 0, { what: 'events waiting in the journal' });

    await own.start();
    await burst(5, 'after');

    await waitFor(async () => (await w.events()).length >= sent.length, { timeoutMs: 20_000, what: 'replayed events' });
    const events = await w.events();
    expect(events.map((e) => e.id).sort()).toEqual([...sent].sort());
    expect(events.every((e) => e.outcome === 'ok')).toBe(true);
    const state = await waitFor(async () => {
      const s = await readyz();
      return s.journalUnqueued === 0 ? s : null;
    }, { what: 'journal queued' });
    expect(state.dropped).toBe(0);
    // no processor here: every event stays journaled until one acknowledges it as stored
    expect(state.journalWaiting).toBe(sent.length);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/gateway_ratelimit_fail_open_total [1-9]/);
    expect(metrics).toMatch(/gateway_dropped_events_total 0/);
  });
});
