import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { freePort, startProcess, tempDir, waitFor } from '@llm-relay/testkit';
import { World, makeKey, provider } from './helpers.ts';

const w = new World();
// a world of its own: the cache test publishes a snapshot, the last test needs a prefix without one
const cw = new World();
const own = tempDir('gw-cache');
afterAll(async () => {
  await w.close();
  await cw.close();
  own.remove();
});

describe('start-up', () => {
  it('without Redis: starts from the snapshot it cached on disk (0600) and serves; the read failure is logged once', async () => {
    const mock = await cw.startMock();
    const key = makeKey();
    await cw.snapshot([provider({ baseUrl: mock.url })], [key.record]);
    // a gateway that saw the snapshot leaves it on disk
    await cw.startGateway({ JOURNAL_DIR: own.path });
    const cache = join(own.path, 'config-snapshot.json');
    await waitFor(() => statSync(cache, { throwIfNoEntry: false }), { what: 'cached snapshot' });
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    await cw.gateways[0]!.stop();

    const base = await cw.startGateway({ JOURNAL_DIR: own.path, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const r = await cw.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'no redis' }] });
    expect(r.choices[0]!.message.content).toContain('no redis');
    // journaled, waiting for Redis
    await waitFor(async () => ((await (await fetch(`${base}/readyz`)).json()) as { journalUnqueued: number }).journalUnqueued === 1, { what: 'event journaled' });
    // retried every 250 ms, but logged once (then at a backoff of 5 s and more)
    await new Promise((res) => setTimeout(res, 2_000));
    const g = cw.gateways.at(-1)!;
    expect(g.output().match(/config snapshot read failed/g)).toHaveLength(1);
    expect(g.output()).not.toMatch(/config snapshot read still failing/);
  });

  it('without Redis and without a cached snapshot: up (healthz) but not ready, saying why', async () => {
    const port = await freePort();
    const empty = tempDir('gw-nocache');
    try {
      const g = await startProcess({ name: 'gw-no-redis', script: 'services/gateway/src/index.ts', env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', JOURNAL_DIR: empty.path }, readyUrl: `http://127.0.0.1:${port}/healthz` });
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { message: string }).message).toContain('not configured');
      await g.stop();
    } finally {
      empty.remove();
    }
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
