import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredLog } from '@llm-relay/contracts';
import { createStore } from '@llm-relay/store';
import { makeLog } from '@llm-relay/testkit';
import { startAdmin, type AdminProcess } from './helper.ts';

// Issue 13 item 1: replay builds its URL from GATEWAY_INTERNAL_URL and a validated /v1 path only; a stored
// path naming another host can never make admin send the body and the typed relay key there.
interface Receiver {
  url: string;
  seen: { method: string; url: string; authorization: string | undefined }[];
  server: Server;
}

async function receiver(): Promise<Receiver> {
  const seen: Receiver['seen'] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"chat.completion","choices":[]}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

let gateway: Receiver;
let foreign: Receiver;
let admin: AdminProcess;
let token: string;
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const logWithPath = (path: string): StoredLog => makeLog({ path, request: { headers: {}, body, bytes: 60, truncated: false } });
let foreignLogs: StoredLog[];
let fine: StoredLog;

beforeAll(async () => {
  gateway = await receiver();
  foreign = await receiver();
  const host = new URL(foreign.url).host;
  foreignLogs = [
    `${foreign.url}/v1/chat/completions`,
    `//${host}/v1/chat/completions`,
    `http:${host}/v1/chat/completions`,
    `/\\${host}/v1/chat/completions`,
    `@${host}/v1/chat/completions`,
    `/v1/../../internal`,
    `/v1/%2e%2e/%2e%2e/internal`,
    `/v1/chat/completions#@${host}`,
    ` ${foreign.url}/v1/chat/completions`,
  ].map(logWithPath);
  fine = logWithPath('/v1/chat/completions?api-version=2024-10-21');
  admin = await startAdmin('replay-target', { GATEWAY_INTERNAL_URL: `${gateway.url}/relay` }, async (dbUrl) => {
    const store = await createStore(dbUrl);
    await store.insertLogs([...foreignLogs, fine]);
    await store.close();
  });
  token = await admin.login();
});
afterAll(async () => {
  await admin?.close();
  gateway?.server.close();
  foreign?.server.close();
});

const replay = (id: string) =>
  fetch(`${admin.url}/admin/logs/${id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ apiKey: 'sk-relay-typed-by-admin' }) });

describe('replay target', () => {
  it('refuses a stored path that is not a plain /v1 path, and sends nothing anywhere', async () => {
    for (const log of foreignLogs) {
      const res = await replay(log.id);
      expect(res.status, log.path).toBe(409);
      expect((await res.json()).error).toMatchObject({ code: 'not_replayable', type: 'invalid_request_error' });
    }
    expect(foreign.seen).toEqual([]);
    expect(gateway.seen).toEqual([]);
  });

  it('sends a plain /v1 path to GATEWAY_INTERNAL_URL under its path prefix, query kept', async () => {
    const res = await replay(fine.id);
    expect(res.status).toBe(200);
    expect(gateway.seen).toEqual([{ method: 'POST', url: '/relay/v1/chat/completions?api-version=2024-10-21', authorization: 'Bearer sk-relay-typed-by-admin' }]);
    expect(foreign.seen).toEqual([]);
  });
});
