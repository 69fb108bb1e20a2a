/**
 * The floor any Node gateway can reach: node:http in front, one undici Pool behind, the bytes piped both ways and
 * nothing else (no auth, no parsing, no capture, no logging). The bench's `bare` arm.
 *   node bench/src/bare-proxy.ts --port 8080 --upstream http://127.0.0.1:9000 [--mode stream|buffered-body|request]
 * `--mode` (default `stream`, the bench's arm) prices two of the gateway's choices on this floor
 * (bench/src/bare-variants.ts): `buffered-body` reads the whole request body before forwarding it (as fastify does
 * for the gateway); `request` also takes the answer through `pool.request` (a Readable body, 'data'/'end') and
 * sends it in one `writeHead` + `end` once complete, as the gateway's relay-response.ts does for a small answer.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, mode: { type: 'string', default: 'stream' } } });
if (!values.port || !values.upstream) {
  console.error('usage: bare-proxy.ts --port N --upstream http://host:port');
  process.exit(2);
}
const pool = new Pool(values.upstream, { connections: 128, pipelining: 1 });
// hop-by-hop headers are not forwarded (RFC 9110 §7.6.1); undici refuses some of them anyway
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer', 'host']);

function forwardable(h: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function answerHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

function failed(res: ServerResponse, err: Error): void {
  if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: `upstream: ${err.message}`, type: 'upstream_error', param: null, code: null } }));
}

/** `--mode request`: body buffered, the answer read through pool.request's Readable and sent whole. */
async function viaRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  const up = await pool.request({ path: req.url!, method: req.method as 'POST', headers: forwardable(req.headers), body, signal: ac.signal });
  const parts: Buffer[] = [];
  up.body.on('data', (c: Buffer) => parts.push(c));
  up.body.once('end', () => {
    res.writeHead(up.statusCode, answerHeaders(up.headers));
    res.end(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  });
  up.body.once('error', (err) => failed(res, err));
}

function viaStream(req: IncomingMessage, res: ServerResponse, body: Buffer | IncomingMessage | null): void {
  pool.stream(
    { path: req.url!, method: req.method as 'POST', headers: forwardable(req.headers), body },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, answerHeaders(headers));
      return res;
    },
    (err) => {
      if (err) failed(res, err);
    },
  );
}

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  const bodiless = req.method === 'GET' || req.method === 'HEAD';
  if (values.mode === 'request' && !bodiless) void viaRequest(req, res).catch((err: Error) => failed(res, err));
  else if (values.mode === 'buffered-body' && !bodiless) void readBody(req).then((b) => viaStream(req, res, b), (err: Error) => failed(res, err));
  else viaStream(req, res, bodiless ? null : req);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), values.host, () => console.log(`bare proxy on ${values.host}:${values.port} → ${values.upstream}`));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => { server.close(); void pool.close(); process.exit(0); });
