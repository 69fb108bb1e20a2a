/**
 * The shipped edge config (deploy/edge/haproxy.cfg) in a real haproxy, in front of plain HTTP servers that
 * stand in for a gateway and for admin: the routes, and the property SSE depends on — an event reaches
 * the client before the upstream has sent the next one (no buffering anywhere in the edge).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, tempDir, waitFor, type TempDir } from '@llm-relay/testkit';
import { findHaproxy } from '../scale-out/cluster.ts';
import { localEdgeConfig } from '../scale-out/edge-config.ts';

let dir: TempDir;
let haproxy: ChildProcess;
let gateway: Server;
let admin: Server;
let edge: string;
/** resolved by the test when the client has received the first SSE event */
let firstEventSeen: () => void = () => {};

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

beforeAll(async () => {
  const bin = findHaproxy();
  if (!bin) throw new Error('haproxy is not installed: apt-get install haproxy');
  dir = tempDir('edge');
  gateway = createServer((req, res) => {
    if (req.url === '/readyz') return void res.end('{"ready":true}');
    if (req.url === '/v1/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      // the rest is sent only once the client has the first event: a buffering proxy deadlocks here
      new Promise<void>((r) => (firstEventSeen = r)).then(() => res.end('data: second\n\ndata: [DONE]\n\n'));
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ served: 'gateway', url: req.url, forwardedFor: req.headers['x-forwarded-for'] }));
  });
  admin = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ served: 'admin', url: req.url }));
  });
  admin.on('upgrade', (req, socket) => {
    // haproxy checks the handshake, so it is a real one (RFC 6455 section 4.2.2)
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on('data', (d) => socket.write(d));
  });
  const [gatewayPort, adminPort, edgePort] = [await listen(gateway), await listen(admin), await freePort()];
  const cfg = localEdgeConfig(readFileSync(new URL('haproxy.cfg', import.meta.url), 'utf8'), {
    port: edgePort,
    upstreams: { gateway: [gatewayPort], admin: [adminPort] },
    maxconn: 1024,
  });
  writeFileSync(join(dir.path, 'haproxy.cfg'), cfg);
  haproxy = spawn(bin, ['-db', '-f', join(dir.path, 'haproxy.cfg')], { stdio: 'ignore' });
  edge = `http://127.0.0.1:${edgePort}`;
  await waitFor(async () => (await fetch(`${edge}/v1/ping`)).ok, { timeoutMs: 10_000, what: 'haproxy routing to the gateway' });
});

afterAll(async () => {
  haproxy?.kill('SIGTERM');
  if (haproxy && haproxy.exitCode === null) await once(haproxy, 'exit');
  gateway?.close();
  admin?.close();
  dir?.remove();
});

const get = async (path: string) => {
  const res = await fetch(`${edge}${path}`, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: res.status === 200 ? ((await res.json()) as { served: string }) : null };
};

// a broken edge shows up as a hang (no event, no upgrade): fail it in 30 s, not in the suite's 5 minutes
describe('the edge proxy config', { timeout: 30_000 }, () => {
  it('sends /v1 to the gateways and /admin and /docs to admin, one origin', async () => {
    expect((await get('/v1/chat/completions')).body?.served).toBe('gateway');
    expect((await get('/admin/api-keys')).body?.served).toBe('admin');
    expect((await get('/docs/json')).body?.served).toBe('admin');
    expect(await get('/')).toMatchObject({ status: 302, location: '/admin/' });
  });

  it('tells the services the address it saw, not one the client claims', async () => {
    const res = await fetch(`${edge}/v1/models`, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(((await res.json()) as { forwardedFor: string }).forwardedFor).toBe('127.0.0.1');
  });

  it('passes each SSE event through before the upstream sends the next one', async () => {
    const res = await fetch(`${edge}/v1/stream`);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('data: first')) text += new TextDecoder().decode((await reader.read()).value);
    firstEventSeen();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('data: second');
    expect(text).toContain('data: [DONE]');
  });

  it('carries the admin live-log WebSocket upgrade through to admin', async () => {
    const url = new URL(edge);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: '/admin/live',
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') },
    });
    req.end();
    const [res, socket] = (await once(req, 'upgrade')) as [{ statusCode: number }, import('node:net').Socket];
    expect(res.statusCode).toBe(101);
    socket.write('ping through the tunnel');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    expect(echo.toString()).toBe('ping through the tunnel');
    socket.destroy();
  });
});
