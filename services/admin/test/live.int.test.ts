import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import WebSocket from 'ws';
import type { Redis } from 'ioredis';
import { liveEntryFields, redisKeys, type LiveServerMessage } from '@llm-relay/contracts';
import { toListItem } from '@llm-relay/store';
import { createRedis } from '@llm-relay/server-kit';
import { makeLog, waitFor } from '@llm-relay/testkit';
import { SignJWT, decodeJwt } from 'jose';
import { JWT_AUDIENCE, JWT_ISSUER } from '../src/features/auth/jwt.ts';
import { ADMIN, JWT_SECRET, REDIS_URL, startAdmin, type AdminProcess } from './helper.ts';

const ALLOWED_ORIGIN = 'https://ui.example';
let admin: AdminProcess;
let redis: Redis;
let prefix: string;
let base: string;
let token: string;

beforeAll(async () => {
  // the test is the proxy in front (127.0.0.1): its X-Forwarded-Host is believed
  admin = await startAdmin('live', { CORS_ORIGINS: ALLOWED_ORIGIN, SNAPSHOT_REPUBLISH_SECONDS: '0.2', TRUST_PROXY: '127.0.0.1' });
  prefix = admin.prefix;
  base = admin.url.replace('http://', '');
  redis = createRedis(REDIS_URL, 'client');
  token = await admin.login();
});
afterAll(async () => {
  await admin?.close();
  redis?.disconnect();
});

async function ticket(): Promise<string> {
  const res = await fetch(`http://${base}/admin/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  return (await res.json()).ticket;
}

/** A connected client that queues what it receives, so a test can await the next message. */
async function connect(query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const qs = new URLSearchParams({ ticket: await ticket(), ...query });
  const ws = new WebSocket(`ws://${base}/admin/live?${qs}`, { headers });
  const inbox: LiveServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    inbox.push(JSON.parse(String(d)));
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (): Promise<LiveServerMessage> => {
    while (!inbox.length) {
      await Promise.race([new Promise<void>((r) => waiters.push(r)), once(ws, 'close').then(() => { throw new Error('socket closed'); })]);
    }
    return inbox.shift()!;
  };
  await once(ws, 'open');
  const hello = await next();
  expect(hello.type).toBe('hello');
  return { ws, next, inbox, hello: hello as Extract<LiveServerMessage, { type: 'hello' }> };
}

/** What the processor does after storing a log. */
async function publish(over: Parameters<typeof makeLog>[0] = {}): Promise<{ streamId: string; id: string }> {
  const log = makeLog(over);
  const streamId = (await redis.xadd(redisKeys(prefix).liveStream, 'MAXLEN', '~', '10000', '*', ...liveEntryFields(toListItem(log))))!;
  return { streamId, id: log.id };
}

async function rejected(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {}); // terminate() after a refused upgrade reports one
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
  ws.terminate();
  return res.statusCode;
}

describe('authentication before the upgrade', () => {
  it('refuses no credentials, a reused ticket, and a foreign Origin; accepts the cookie and an allowed Origin', async () => {
    expect(await rejected(`ws://${base}/admin/live`)).toBe(401);
    const t = await ticket();
    const first = new WebSocket(`ws://${base}/admin/live?ticket=${t}`);
    await once(first, 'open');
    first.close();
    expect(await rejected(`ws://${base}/admin/live?ticket=${t}`)).toBe(401);
    expect(await rejected(`ws://${base}/admin/live?ticket=${await ticket()}`, { origin: 'https://evil.example' })).toBe(403);
    const allowed = await connect({}, { origin: ALLOWED_ORIGIN });
    allowed.ws.close();
    const viaCookie = new WebSocket(`ws://${base}/admin/live`, { headers: { cookie: `llm_relay_session=${token}` } });
    await once(viaCookie, 'open');
    viaCookie.close();
  });
  it('accepts the page behind the edge, whose host a trusted proxy sends in X-Forwarded-Host', async () => {
    const edgeOrigin = 'https://relay.example.com';
    expect(await rejected(`ws://${base}/admin/live?ticket=${await ticket()}`, { origin: edgeOrigin })).toBe(403);
    const behindEdge = await connect({}, { origin: edgeOrigin, 'x-forwarded-host': 'relay.example.com' });
    behindEdge.ws.close();
  });
});

describe('the socket lives no longer than its session', () => {
  it('closes with 4401 when the session expires, and a ticket of a logged-out session is refused', async () => {
    // bound to the admin's record like the login's token (same uid and credential version), but short-lived
    const { uid, cv } = decodeJwt(token);
    const short = await new SignJWT({ role: 'admin', uid, cv }).setProtectedHeader({ alg: 'HS256' }).setSubject(ADMIN.username).setJti('short-lived')
      .setIssuer(JWT_ISSUER).setAudience(JWT_AUDIENCE).setExpirationTime(Math.floor(Date.now() / 1000) + 2).sign(new TextEncoder().encode(JWT_SECRET));
    const t = (await (await fetch(`http://${base}/admin/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${short}` } })).json()).ticket;
    const ws = new WebSocket(`ws://${base}/admin/live?ticket=${t}`);
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4401);

    const session = await admin.login();
    const t2 = (await (await fetch(`http://${base}/admin/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${session}` } })).json()).ticket;
    await fetch(`http://${base}/admin/logout`, { method: 'POST', headers: { authorization: `Bearer ${session}` } });
    expect(await rejected(`ws://${base}/admin/live?ticket=${t2}`)).toBe(401);
  });
});

describe('delivery', () => {
  it('a summary added to the live stream reaches a connected client', async () => {
    const c = await connect();
    const sent = await publish();
    const msg = await c.next();
    expect(msg).toMatchObject({ type: 'log', streamId: sent.streamId, log: { id: sent.id } });
    c.ws.close();
  });

  it('skips a stream entry that is not a LiveEntrySchema (another field name, a summary missing fields) and delivers the next valid one', async () => {
    const c = await connect();
    const key = redisKeys(prefix).liveStream;
    await redis.xadd(key, '*', 'summary', JSON.stringify(toListItem(makeLog())));
    await redis.xadd(key, '*', 'log', JSON.stringify({ id: 'only-an-id' }));
    await redis.xadd(key, '*', 'log', '{not json');
    const sent = await publish();
    expect(await c.next()).toMatchObject({ type: 'log', streamId: sent.streamId, log: { id: sent.id } });
    expect(c.inbox).toEqual([]);
    c.ws.close();
  });

  it('applies filters on the server: from the query and from a filter message', async () => {
    const c = await connect({ model: 'gpt-4o' });
    await publish({ model: 'other' });
    const match = await publish({ model: 'gpt-4o' });
    expect(await c.next()).toMatchObject({ type: 'log', log: { id: match.id } });

    c.ws.send(JSON.stringify({ type: 'filter', filter: { errorsOnly: true } }));
    c.ws.send('not json'); // answered in order: once the error arrives, the filter is in place
    expect((await c.next()).type).toBe('error');
    await publish({ model: 'gpt-4o' });
    const err = await publish({ status: 502, outcome: 'upstream_error' });
    expect(await c.next()).toMatchObject({ type: 'log', log: { id: err.id } });
    c.ws.close();
  });

  it('resumes after lastId: what was missed first, in order, then live', async () => {
    const c = await connect();
    const a = await publish();
    expect(await c.next()).toMatchObject({ streamId: a.streamId });
    c.ws.close();
    await once(c.ws, 'close');
    const missed = [await publish(), await publish(), await publish()];
    const r = await connect({ lastId: a.streamId });
    expect(r.hello.lastId).toBe(a.streamId);
    for (const m of missed) expect(await r.next()).toMatchObject({ type: 'log', streamId: m.streamId });
    const live = await publish();
    expect(await r.next()).toMatchObject({ streamId: live.streamId });
    expect(r.inbox).toEqual([]);
    r.ws.close();
  });

  it('closes a client that sends an oversized message', async () => {
    const c = await connect();
    c.ws.send('x'.repeat(64 * 1024));
    const [code] = (await once(c.ws, 'close')) as [number];
    expect(code).toBe(1009);
  });
});

describe('a client that does not read', () => {
  it('gets {type:"lagged", skipped} instead of an ever-growing buffer, and every entry is either delivered or counted', async () => {
    const c = await connect();
    c.ws.pause();
    const N = 3000;
    const big = 'x'.repeat(4000);
    const pipe = redis.pipeline();
    for (let i = 0; i < N; i++) pipe.xadd(redisKeys(prefix).liveStream, '*', ...liveEntryFields(toListItem(makeLog({ requestPreview: big }))));
    await pipe.exec();
    // a paused client's kernel buffers fill; the server must start dropping rather than queue 12 MB
    await waitFor(async () => {
      const m = await (await fetch(`http://${base}/metrics`)).text();
      return Number(/llm_relay_admin_live_skipped_total (\d+)/.exec(m)?.[1] ?? 0) > 0;
    }, { what: 'server skipping entries for the slow client', timeoutMs: 20_000 });
    c.ws.resume();
    let delivered = 0;
    let skipped = 0;
    while (delivered + skipped < N) {
      const m = await c.next();
      if (m.type === 'log') delivered++;
      else if (m.type === 'lagged') skipped += m.skipped;
    }
    expect(skipped).toBeGreaterThan(0);
    expect(delivered + skipped).toBe(N);
    c.ws.close();
  });
});

describe('the gateway snapshot', () => {
  it('comes back by itself when Redis loses it (a restarted Redis keeps nothing)', async () => {
    const key = redisKeys(prefix).snapshot;
    const before = JSON.parse((await redis.get(key))!);
    await redis.del(key);
    const back = await waitFor(async () => redis.get(key), { what: 'snapshot re-published' });
    expect(JSON.parse(back).version).toBeGreaterThan(before.version);
  });
});

describe('shutdown', () => {
  it('SIGTERM closes live sockets and exits cleanly', async () => {
    const c = await connect();
    const closed = once(c.ws, 'close');
    expect(await admin.proc.stop()).toBe(0);
    const [code] = (await closed) as [number];
    expect([1000, 1001, 1005, 1006]).toContain(code);
  });
});
