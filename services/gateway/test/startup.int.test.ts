import { afterAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { freePort, startProcess, waitFor } from '@llm-relay/testkit';
import { World, makeKey, provider } from './helpers.ts';

const w = new World();
afterAll(() => w.close());

describe('start-up', () => {
  it('exits with a clear message when Redis is unreachable', async () => {
    const port = await freePort();
    const g = await startProcess({ name: 'gw-no-redis', script: 'services/gateway/src/index.ts', env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, GATEWAY_PORT: String(port), JOURNAL_DIR: w.journal.path } });
    expect(await g.exited).toBe(1);
    expect(g.output()).toMatch(/Cannot reach Redis at .*\n.*redis-server/);
  });

  it('before any snapshot: not ready, model routes answer 503 saying to run init; a published snapshot makes it ready', async () => {
    const mock = await w.startMock();
    const base = await w.startGateway({ SNAPSHOT_POLL_MS: '600000' }, false);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    const key = makeKey();
    try {
      await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
      throw new Error('expected 503');
    } catch (err) {
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((err as Error).message).toContain('gateway not configured: run `npm run init`');
    }
    await w.snapshot([provider({ baseUrl: mock.url })], [key.record]);
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { what: 'ready after the notice' });
    const r = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    expect(r.choices).toHaveLength(1);
    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const nf = await fetch(`${base}/nope`);
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    expect(nf.headers.get('x-request-id')).toBeTruthy();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/gateway_requests_total\{route="chat.completions",provider="mock",model="gpt-4o-mini",status="200"\} 1/);
    expect(metrics).toMatch(/gateway_requests_total\{route="chat.completions",provider="none",model="none",status="503"\} 1/);
    expect(metrics).toContain('gateway_ttfb_seconds_bucket');
  });
});
