import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { behaviourFrom } from './behaviour.ts';
import { Recorder } from './recorder.ts';
import { notFound, sendError } from './respond.ts';
import { routes } from './routes/index.ts';
import type { Ctx, MockDefaults, MockState } from './types.ts';

export interface MockServer {
  server: Server;
  recorder: Recorder;
  state: MockState;
  resetState(): void;
}

function newState(): MockState {
  return { seq: 0, failCounts: new Map(), chat: new Map(), responses: new Map(), files: new Map(), batches: new Map() };
}

function control(req: IncomingMessage, res: ServerResponse, path: string, recorder: Recorder, reset: () => void): void {
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  } else if (path === '/__mock/requests' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(recorder.list()));
  } else if (path === '/__mock/requests' && req.method === 'DELETE') {
    reset();
    res.writeHead(204).end();
  } else {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"unknown mock control path","type":"invalid_request_error","param":null,"code":"unknown_url"}}');
  }
}

/** The fake provider as a plain node:http server (no framework: it must not be the bottleneck of a benchmark). */
export function createMockServer(defaults: MockDefaults): MockServer {
  const recorder = new Recorder(defaults.recordLimit);
  const mock: MockServer = {
    server: undefined as unknown as Server,
    recorder,
    state: newState(),
    resetState() {
      recorder.clear();
      mock.state = newState();
    },
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer, path: string, query: string): void => {
    const state = mock.state;
    const seq = ++state.seq;
    const ct = req.headers['content-type'];
    let json: unknown;
    let badJson = false;
    if (body.length > 0 && ct !== undefined && ct.includes('json')) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        badJson = true;
      }
    }
    const method = req.method ?? 'GET';
    recorder.add({ seq, at: Date.now(), method, path, query, headers: req.headers, bodyBytes: body.length, sha256: createHash('sha256').update(body).digest('hex'), json });
    const b = behaviourFrom(req.headers, defaults);
    if (b.hang) return; // never answer: the caller's timeout is under test
    const m = routes.match(method, path);
    const ctx: Ctx = { req, res, method, path, query, params: m?.params ?? [], body, json, b, requestId: `req_mock_${seq.toString(16).padStart(8, '0')}`, defaults, state };
    const run = (): void => {
      if (res.destroyed) return;
      if (b.failTimes > 0) {
        const used = state.failCounts.get(b.failKey) ?? 0;
        if (used < b.failTimes) {
          state.failCounts.set(b.failKey, used + 1);
          return sendError(ctx, b.status ?? 500);
        }
      } else if (b.status !== undefined) {
        return sendError(ctx, b.status);
      }
      if (badJson) return sendError(ctx, 400, 'We could not parse the JSON body of your request.', 'invalid_json');
      if (!m) return notFound(ctx);
      try {
        const p = m.handler(ctx);
        if (p) p.catch((err: unknown) => fail(ctx, err));
      } catch (err) {
        fail(ctx, err);
      }
    };
    if (b.delayMs > 0) setTimeout(run, b.delayMs);
    else run();
  };

  mock.server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    if (path === '/healthz' || path.startsWith('/__mock/')) return control(req, res, path, recorder, () => mock.resetState());
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), path, query));
  });
  mock.server.keepAliveTimeout = 65_000;
  return mock;
}

function fail(ctx: Ctx, err: unknown): void {
  if (ctx.res.headersSent) return void ctx.res.destroy();
  sendError(ctx, 500, `mock provider bug: ${err instanceof Error ? err.message : String(err)}`);
}
