import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

// Issue 13 item 4: what a client names (model, path, user agent) cannot grow the gateway's metrics or the
// stored event without bound.
const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  key = makeKey();
  // one exactly named model, and a catch-all that serves any other name
  await w.snapshot([provider({ id: 'named', baseUrl: mock.url, models: [{ match: 'gpt-4o-mini' }], priority: 0 }), provider({ id: 'any', baseUrl: mock.url, models: [], priority: 1 })], [key.record]);
  base = await w.startGateway();
});
afterAll(() => w.close());

const ask = (model: string) => w.client(base, key.secret).chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

async function metricsText(): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}

describe('caps on what a client names', () => {
  it('refuses a model name over 256 bytes with 400 param "model", and does not record the name', async () => {
    const err = await ask('m'.repeat(257)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.error).toMatchObject({ param: 'model', code: 'model_too_long', type: 'invalid_request_error' });
    const ev = await w.event(e.requestID!);
    expect(ev.model).toBeNull();
    expect(ev.response.status).toBe(400);
    // 256 bytes is still a model name (multi-byte characters count as bytes)
    expect((await ask('é'.repeat(128))).object).toBe('chat.completion');
    expect(await ask('é'.repeat(129)).catch((x: { status: number }) => x.status)).toBe(400);
  });

  it('many unique long model names collapse to "other" in /metrics; the configured model keeps its series', async () => {
    const names = Array.from({ length: 160 }, (_, i) => `made-up-${i}-${'x'.repeat(200)}`);
    for (let i = 0; i < names.length; i += 16) await Promise.all(names.slice(i, i + 16).map((n) => ask(n)));
    await ask('gpt-4o-mini');
    const text = await metricsText();
    const series = text.split('\n').filter((l) => l.startsWith('gateway_requests_total{'));
    const models = new Set(series.map((l) => /model="([^"]*)"/.exec(l)![1]));
    // at most 100 made-up names of their own, then `other`; plus the named model and the earlier test's
    expect(models.size).toBeLessThanOrEqual(100 + 3);
    expect(models.has('other')).toBe(true);
    expect(models.has('gpt-4o-mini')).toBe(true);
    const other = series.find((l) => l.includes('model="other"') && l.includes('status="200"'))!;
    expect(Number(other.split(' ').pop())).toBeGreaterThanOrEqual(60);
    expect(text.length).toBeLessThan(200_000);
  });

  it('stores at most 2 KB of path and query, 512 characters of user agent, 1 KB per captured header', async () => {
    const res = await fetch(`${base}/v1/models?q=${'a'.repeat(6000)}`, { headers: { authorization: `Bearer ${key.secret}`, 'user-agent': 'u'.repeat(6000), 'openai-beta': 'b'.repeat(2000) } });
    expect(res.status).toBe(200);
    const ev = await w.event(res.headers.get('x-request-id')!);
    expect(ev.request.path.length).toBe(2048);
    expect(ev.request.path.startsWith('/v1/models?q=aaa')).toBe(true);
    expect(ev.request.path.endsWith('…')).toBe(true);
    expect(ev.userAgent!.length).toBe(512);
    expect(ev.request.headers['openai-beta']!.length).toBe(1024);
    expect(ev.request.headers['user-agent']!.length).toBeLessThanOrEqual(1024);
  });
});
