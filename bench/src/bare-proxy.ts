/**
 * The floor any Node gateway can reach: node:http in front, one undici Pool behind, the bytes piped both ways and
 * nothing else (no auth, no parsing, no capture, no logging). The bench's `bare` arm.
 *   node bench/src/bare-proxy.ts --port 8080 --upstream http://127.0.0.1:9000
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } } });
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

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  pool.stream(
    { path: req.url!, method: req.method as 'POST', headers: forwardable(req.headers), body: req.method === 'GET' || req.method === 'HEAD' ? null : req },
    ({ statusCode, headers }) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(statusCode, out);
      return res;
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `upstream: ${err.message}`, type: 'upstream_error', param: null, code: null } }));
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port), values.host, () => console.log(`bare proxy on ${values.host}:${values.port} → ${values.upstream}`));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => { server.close(); void pool.close(); process.exit(0); });
