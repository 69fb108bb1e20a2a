// Gateway CPU per request and Redis commands per request, over a fixed number of requests: far less
// sensitive to a busy machine than req/s (the CPU a request costs does not depend on who else runs).
// usage: node src/cpu-per-request.ts [--requests 20000] [--rounds 3] [--connections 10] [--prof DIR] [--processor]
//        [--baseline /path/to/other/checkout] [--env KEY=VALUE ...]
// A Redis of its own (no persistence) so every command counted is the gateway's; a capture-on gateway in
// front of the instant mock; with --processor a SQLite log processor stores (and acknowledges) the events.
// --baseline also starts the gateway of another checkout (say main's) beside this one and the rounds
// alternate between them, so both see the same machine load: a paired before/after.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { createRedis, generateRelayKey, publishSnapshot } from '@llm-relay/server-kit';
import { OwnRedis, freePort, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess } from '@llm-relay/testkit';
import { singleMockSnapshot } from './stack.ts';
import { median } from './stats.ts';
import { chatBody } from './load.ts';
import { cpuSeconds } from './procstat.ts';

const { values: flags } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    prof: { type: 'string' },
    processor: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    /** KEY=VALUE for this checkout's gateway only (repeatable): A/B of a setting */
    env: { type: 'string', multiple: true, default: [] },
  },
});
const N = Number(flags.requests);

interface Arm {
  name: string;
  origin: string;
  pid: number;
  prefix: string;
  sent: number;
  us: number[];
  cmds: Map<string, number>;
  /** addBulk batches (one pipelined write to Redis and one journal append each) per request, per round */
  batches: number[];
}

const tmp = tempDir('llm-relay-cpu');
const started: RunningProcess[] = [];
// no persistence: INFO commandstats then counts only the gateway's commands
const ownRedis = new OwnRedis('llm-relay-cpu-redis', { persistent: false });
await ownRedis.start();
const redisUrl = ownRedis.url;
const redis = createRedis(redisUrl, 'client');
try {
  const mockPort = await freePort();
  const mock = await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(mockPort), '--mode', 'instant'], readyUrl: `http://127.0.0.1:${mockPort}/healthz` });
  started.push(mock);
  const key = generateRelayKey();
  const arms: Arm[] = [];
  for (const [name, root] of [['this', '.'], ...(flags.baseline ? [['baseline', flags.baseline]] : [])] as [string, string][]) {
    const prefix = uniquePrefix(`cpu-${name}`);
    await publishSnapshot(redis, prefix, singleMockSnapshot(`http://127.0.0.1:${mockPort}`, 'bench-instant', key));
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const gw = await startProcess({
      name: `gateway-${name}`, script: join(resolve(root), 'services/gateway/src/index.ts'), readyUrl: `${origin}/healthz`, readyTimeoutMs: 60_000,
      env: {
        GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', GATEWAY_ID: `gw-${name}`, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, JOURNAL_DIR: join(tmp.path, `journal-${name}`), LOG_LEVEL: 'warn',
        ...(flags.prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(flags.prof, name)}` } : {}),
        ...(name === 'this' ? Object.fromEntries(flags.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) : {}),
      },
    });
    started.push(gw);
    if (flags.processor) {
      const pport = await freePort();
      started.push(await startProcess({
        name: `processor-${name}`, script: 'services/log-processor/src/index.ts', readyUrl: `http://127.0.0.1:${pport}/healthz`, readyTimeoutMs: 60_000,
        env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: `sqlite:${join(tmp.path, `logs-${name}.db`)}`, PROCESSOR_PORT: String(pport), PROCESSOR_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      }));
    }
    arms.push({ name, origin, pid: gw.child.pid!, prefix, sent: 0, us: [], cmds: new Map(), batches: [] });
  }
  const metric = async (a: Arm, re: RegExp) => Number(re.exec(await (await fetch(`${a.origin}/metrics`)).text())?.[1] ?? 0);
  const enqueued = (a: Arm) => metric(a, /^gateway_enqueued_events_total (\S+)$/m);
  const batches = (a: Arm) => metric(a, /^gateway_enqueue_batches_total\{result="queued"\} (\S+)$/m);
  // commands under each arm's prefix are not told apart by INFO, so arms run one at a time
  const commandStats = async () => {
    const out = new Map<string, number>();
    for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_(\S+):calls=(\d+)/gm)) out.set(m[1]!, Number(m[2]));
    return out;
  };
  const run = async (a: Arm, amount: number) => {
    const r = await autocannon({
      url: `${a.origin}/v1/chat/completions`, method: 'POST', amount, connections: Number(flags.connections), pipelining: 1,
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: chatBody('bench-instant', false),
    });
    a.sent += r.requests.total;
    if (r.non2xx || r.errors) throw new Error(`${a.name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    // the request's event path (journal, addBulk) is part of its cost: wait until every event is queued
    await waitFor(async () => (await enqueued(a)) >= a.sent || null, { what: 'events queued', timeoutMs: 60_000 });
    return r;
  };
  for (const a of arms) await run(a, Math.min(N, 5000));
  for (let i = 0; i < Number(flags.rounds); i++) {
    for (const a of i % 2 ? [...arms].reverse() : arms) {
      await sleep(200);
      const b0 = await batches(a);
      const c0 = cpuSeconds(a.pid);
      const s0 = await commandStats();
      const r = await run(a, N);
      const c1 = cpuSeconds(a.pid);
      const s1 = await commandStats();
      a.batches.push(((await batches(a)) - b0) / r.requests.total);
      let cmds = 0;
      a.cmds = new Map();
      for (const [name, calls] of s1) {
        // the harness's own INFO calls are not the gateway's
        if (name === 'info') continue;
        const d = (calls - (s0.get(name) ?? 0)) / r.requests.total;
        if (d > 0) a.cmds.set(name, d);
        cmds += d;
      }
      const us = ((c1 - c0) * 1e6) / r.requests.total;
      a.us.push(us);
      console.log(`round ${i + 1} ${a.name}: ${r.requests.total} requests, gateway CPU ${us.toFixed(0)} µs/request, ${cmds.toFixed(3)} Redis commands/request, ${a.batches.at(-1)!.toFixed(3)} batches/request, ${r.requests.average.toFixed(0)} req/s (load-bound)`);
    }
  }
  for (const a of arms) {
    console.log(`${a.name}: median gateway CPU ${median(a.us).toFixed(0)} µs/request (min ${Math.min(...a.us).toFixed(0)}, max ${Math.max(...a.us).toFixed(0)})`);
    console.log(`${a.name}: Redis commands per request (last round): ${[...a.cmds.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}`);
  }
  if (arms.length === 2) {
    // paired: each round's ratio, this / baseline
    const ratios = arms[0]!.us.map((u, i) => u / arms[1]!.us[i]!);
    console.log(`this / baseline CPU per request: median ${median(ratios).toFixed(3)} (rounds: ${ratios.map((r) => r.toFixed(3)).join(', ')})`);
  }
} finally {
  for (const p of started.reverse()) await p.stop().catch(() => null);
  redis.disconnect();
  await ownRedis.remove();
  tmp.remove();
}
process.exit(0);
