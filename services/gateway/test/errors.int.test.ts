import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { waitFor } from '@llm-relay/testkit';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;
let narrow: TestKey;
let disabled: TestKey;
let expired: TestKey;
let rpm2: TestKey;
let tpm: TestKey;

async function apiError(p: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err;
    throw err;
  }
  throw new Error('expected an API error');
}

let broken: Server;

beforeAll(async () => {
  const mock = await w.startMock();
  // an upstream that sends headers and part of a JSON body, then drops the connection
  broken = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"id":"chatcmpl-half",');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  broken.listen(0, '127.0.0.1');
  await once(broken, 'listening');
  const brokenUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  key = makeKey();
  narrow = makeKey({ allowedModels: ['gpt-4o-mini'] });
  disabled = makeKey({ status: 'disabled' });
  expired = makeKey({ expiresAt: Date.now() - 1000 });
  rpm2 = makeKey({ limits: { rpm: 2 } });
  tpm = makeKey({ limits: { tpm: 20 } });
  await w.snapshot(
    [
      provider({ id: 'primary', baseUrl: mock.url, models: [{ match: 'gpt-*' }], priority: 0 }),
      provider({ id: 'backup', baseUrl: mock.url, apiKeys: ['sk-backup'], models: [{ match: 'gpt-4o-mini' }], priority: 1 }),
      provider({ id: 'dead', baseUrl: 'http://127.0.0.1:9', models: [{ match: 'dead-model' }] }),
      provider({ id: 'broken', baseUrl: brokenUrl, models: [{ match: 'broken-model' }] }),
      provider({ id: 'rotating', baseUrl: mock.url, apiKeys: ['sk-k1', 'sk-k2'], models: [{ match: 'rot-model' }] }),
    ],
    [key.record, narrow.record, disabled.record, expired.record, rpm2.record, tpm.record],
    { httpMaxRetries: 1, httpTimeoutSeconds: 1, connectTimeoutSeconds: 1 },
  );
  base = await w.startGateway({ BODY_LIMIT_BYTES: String(1024 * 1024), SSE_KEEPALIVE_MS: '500' });
});
afterAll(async () => {
  broken.closeAllConnections();
  broken.close();
  await w.close();
});

const msg = [{ role: 'user' as const, content: 'hi' }];

describe('errors in the OpenAI shape, each captured once', () => {
  it('401 for a missing, unknown, disabled or expired key', async () => {
    const unlogged = async () => Number(/^gateway_auth_rejected_unlogged_total (\S+)/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    const before = await unlogged();
    const ids: string[] = [];
    for (const k of ['', 'sk-nope', disabled.secret, expired.secret]) {
      const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(k ? { authorization: `Bearer ${k}` } : {}) }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: msg }) });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { message: string; type: string; param: unknown; code: string } };
      expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null });
      ids.push(res.headers.get('x-request-id')!);
    }
    // refusals for the key are sampled (one per client IP per second, security-anonymous.int.test.ts): once a
    // later event is queued, every one of them is either a metadata-only event or counted as unlogged
    await w.event((await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: msg }).withResponse()).response.headers.get('x-request-id')!);
    const recorded = (await w.events()).filter((e) => ids.includes(e.id));
    expect(recorded.length + (await unlogged()) - before).toBe(4);
    for (const ev of recorded) {
      expect(ev.outcome).toBe('rejected');
      expect(ev.response.status).toBe(401);
      expect(ev.request.body.text).toBeUndefined();
      for (const k of [disabled.secret, expired.secret, 'sk-nope']) expect(JSON.stringify(ev)).not.toContain(k);
    }
  });

  it('403 for a model the key may not use, 404 for a model no provider serves', async () => {
    const e403 = await apiError(w.client(base, narrow.secret).chat.completions.create({ model: 'gpt-4.1', messages: msg }));
    expect(e403.status).toBe(403);
    expect(e403.code).toBe('model_not_allowed');
    const e404 = await apiError(w.client(base, key.secret).chat.completions.create({ model: 'nobody-serves-this', messages: msg }));
    expect(e404.status).toBe(404);
    expect(e404.code).toBe('model_not_found');
    const ev = await w.event(e404.requestID!);
    expect(ev.outcome).toBe('rejected');
    expect(ev.model).toBe('nobody-serves-this');
  });

  it('400 for a body that is not a JSON object or names no model', async () => {
    for (const [body, code] of [['not json', 'invalid_json'], ['[1,2]', 'invalid_request'], ['{"messages":[]}', 'missing_model']] as const) {
      const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('413 for a body over the limit', async () => {
    const e = await apiError(w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] }));
    expect(e.status).toBe(413);
    expect(e.type).toBe('invalid_request_error');
    const ev = await w.event(e.requestID!);
    expect(ev.response.status).toBe(413);
    expect(ev.request.body.bytes).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('429 with retry-after once the key is over its RPM', async () => {
    const c = w.client(base, rpm2.secret);
    const ok = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: msg }).withResponse();
    expect(ok.response.headers.get('x-ratelimit-limit-requests')).toBe('2');
    await c.chat.completions.create({ model: 'gpt-4o-mini', messages: msg });
    const e = await apiError(c.chat.completions.create({ model: 'gpt-4o-mini', messages: msg }));
    expect(e.status).toBe(429);
    expect(Number(e.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(e.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect((await w.event(e.requestID!)).outcome).toBe('rejected');
  });

  it('429 once the tokens counted from responses reach the TPM limit (streams too)', async () => {
    const c = w.client(base, tpm.secret);
    const s = await c.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'count my tokens please' }] });
    for await (const _ of s) void _;
    const e = await waitFor(async () => {
      const err = await apiError(c.chat.completions.create({ model: 'gpt-4o-mini', messages: msg })).catch(() => null);
      return err?.status === 429 ? err : null;
    }, { what: 'tpm refusal' });
    expect(e.code).toBe('rate_limit_tpm');
    expect(e.headers?.get('x-ratelimit-limit-tokens')).toBe('20');
    expect(Number(e.headers?.get('retry-after'))).toBeGreaterThan(0);
  });

  it('uses a provider\'s keys in turn and rests a key that got 401', async () => {
    const c = w.client(base, key.secret);
    const used = async (headers: Record<string, string> = {}) => {
      await c.chat.completions.create({ model: 'rot-model', messages: msg }, { headers }).catch(() => undefined);
      return w.mock.requests.at(-1)!.headers.authorization;
    };
    const a = await used();
    const b = await used();
    expect(new Set([a, b])).toEqual(new Set(['Bearer sk-k1', 'Bearer sk-k2']));
    // a key answered with 401 rests and the other key answers the same request; later calls avoid the resting key
    const before = w.mock.requests.length;
    const failKey = `k401-${Date.now()}`;
    const { data, response } = await c.chat.completions.create({ model: 'rot-model', messages: msg }, { headers: { 'x-mock-status': '401', 'x-mock-fail-times': '1', 'x-mock-fail-key': failKey } }).withResponse();
    expect(data.choices).toHaveLength(1);
    const tried = w.mock.requests.slice(before).map((q) => q.headers.authorization);
    expect(tried).toHaveLength(2);
    expect(tried[0]).not.toBe(tried[1]);
    expect((await w.event(response.headers.get('x-request-id')!)).attempts.map((a) => a.status)).toEqual([401, 200]);
    const next = [await used(), await used(), await used()];
    expect(next.every((k) => k !== tried[0])).toBe(true);
  });

  it('retries an upstream 500 and answers; x-should-retry false after retries', async () => {
    const c = w.client(base, key.secret);
    const before = w.mock.requests.length;
    const { data, response } = await c.chat.completions.create({ model: 'gpt-4.1', messages: msg }, { headers: { 'x-mock-fail-times': '1', 'x-mock-fail-key': `retry-${Date.now()}` } }).withResponse();
    expect(data.choices[0]!.message.content).toContain('hi');
    expect(w.mock.requests.length - before).toBe(2);
    expect(response.headers.get('x-should-retry')).toBe('false');
    const ev = await w.event(response.headers.get('x-request-id')!);
    expect(ev.attempts.map((a) => a.status)).toEqual([500, 200]);
  });

  it('falls back to the next provider when the first keeps failing', async () => {
    const c = w.client(base, key.secret);
    const { response } = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: msg }, { headers: { 'x-mock-fail-times': '2', 'x-mock-fail-key': `fb-${Date.now()}` } }).withResponse();
    const ev = await w.event(response.headers.get('x-request-id')!);
    expect(ev.attempts.map((a) => [a.provider, a.status])).toEqual([['primary', 500], ['primary', 500], ['backup', 200]]);
    expect(ev.provider).toBe('backup');
    expect(w.mock.requests.at(-1)!.headers.authorization).toBe('Bearer sk-backup');
  });

  it('passes the final upstream error through when every attempt fails', async () => {
    const e = await apiError(w.client(base, key.secret).chat.completions.create({ model: 'gpt-4.1', messages: msg }, { headers: { 'x-mock-status': '503' } }));
    expect(e.status).toBe(503);
    expect(e.headers?.get('x-should-retry')).toBe('false');
    const ev = await w.event(e.requestID!);
    expect(ev.outcome).toBe('upstream_error');
    expect(ev.attempts).toHaveLength(2);
  });

  it('502 when the upstream cannot be reached, 504 when it does not answer in time', async () => {
    const e502 = await apiError(w.client(base, key.secret).chat.completions.create({ model: 'dead-model', messages: msg }));
    expect(e502.status).toBe(502);
    expect(e502.code).toBe('upstream_unreachable');
    expect((await w.event(e502.requestID!)).outcome).toBe('upstream_error');
    const e504 = await apiError(w.client(base, key.secret).chat.completions.create({ model: 'gpt-4.1', messages: msg }, { headers: { 'x-mock-hang': '1' } }));
    expect(e504.status).toBe(504);
    expect(e504.code).toBe('upstream_timeout');
    expect((await w.event(e504.requestID!)).outcome).toBe('timeout');
  });

  it('a non-streamed body that breaks is answered with a clean 502, not a cut connection', async () => {
    const e = await apiError(w.client(base, key.secret).chat.completions.create({ model: 'broken-model', messages: msg }));
    expect(e.status).toBe(502);
    expect(e.code).toBe('upstream_body_error');
    const ev = await w.event(e.requestID!);
    expect(ev.outcome).toBe('upstream_error');
    expect(ev.response.body.text).toBe('{"id":"chatcmpl-half",');
  });

  it('client abort aborts the upstream and is captured as client_abort', async () => {
    const ac = new AbortController();
    const c = w.client(base, key.secret);
    const stream = await c.chat.completions.create({ model: 'gpt-4.1', stream: true, messages: [{ role: 'user', content: 'long one' }] }, { headers: { 'x-mock-chunks': '500', 'x-mock-interval-ms': '20' }, signal: ac.signal });
    let got = 0;
    try {
      for await (const _ of stream) if (++got === 3) ac.abort();
    } catch {
      // the abort surfaces as an error in the iterator
    }
    const ev = await waitFor(async () => (await w.events()).find((e) => e.outcome === 'client_abort'), { what: 'client_abort event' });
    expect(ev.response.body.text).toContain('data: ');
    expect(ev.response.body.text).not.toContain('[DONE]');
    // the upstream was stopped: far fewer than the 500 chunks it would have sent
    expect(ev.response.body.text!.split('data: ').length).toBeLessThan(100);
  });

  it('a client that goes away mid-upload is captured as client_abort', async () => {
    const { connect } = await import('node:net');
    const port = Number(new URL(base).port);
    const before = (await w.events()).length;
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    sock.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${key.secret}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"model":"gpt-4o-mini","messages":`);
    await waitFor(async () => {
      const m = await (await fetch(`${base}/metrics`)).text();
      return /gateway_requests_in_flight [1-9]/.test(m);
    }, { what: 'request in flight' });
    sock.destroy();
    const ev = await waitFor(async () => (await w.events()).slice(before).find((e) => e.outcome === 'client_abort' && e.response.status === 499), { what: 'abort event' });
    expect(ev.route).toBe('chat.completions');
  });

  it('an upstream cut mid-stream ends in an SSE error event, never [DONE]', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-mock-cut-after': '3', 'x-mock-interval-ms': '5' }, body: JSON.stringify({ model: 'gpt-4.1', stream: true, messages: msg }) });
    const text = await res.text();
    expect(text).not.toContain('[DONE]');
    const last = text.trim().split('\n\n').at(-1)!;
    expect(JSON.parse(last.replace(/^data: /, ''))).toMatchObject({ error: { type: 'server_error', code: 'upstream_stream_error' } });
    const ev = await w.event(res.headers.get('x-request-id')!);
    expect(ev.outcome).toBe('upstream_error');
    // the SDK turns it into an error too
    const s = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4.1', stream: true, messages: msg }, { headers: { 'x-mock-cut-after': '3', 'x-mock-interval-ms': '5' } });
    await expect((async () => {
      for await (const _ of s) void _;
    })()).rejects.toThrow(/upstream stream failed/);
  });

  it('sends a keep-alive comment during a long silence', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-mock-silence-ms': '1500', 'x-mock-interval-ms': '1' }, body: JSON.stringify({ model: 'gpt-4.1', stream: true, messages: msg }) });
    const text = await res.text();
    expect(text).toContain(': keep-alive\n\n');
    expect(text).toContain('data: [DONE]');
  });
});
