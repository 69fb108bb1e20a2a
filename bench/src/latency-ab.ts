// Closed-loop latency of the bare proxy and the gateway (and, with --baseline, another checkout's gateway), arms
// interleaved round by round so they see the same machine load: req/s, p50/p99, and the CPU every process on the
// request's path spent per request (gateway, mock, Redis, processor, this load generator).
// usage: node bench/src/latency-ab.ts [--concurrency 1,10] [--seconds 3] [--rounds 4] [--port-base 7600]
//        [--baseline /path/to/other/checkout] [--processor] [--env KEY=VALUE ...] [--prof DIR] [--probe DIR]
// --probe preloads probe-preload.ts into the bare proxy and the gateways: GC pauses per 1,000 requests, event-loop
// delay and (at c=1) the time each spends before, waiting for and after the upstream, per arm.
// Ports: port-base+0 Redis (own, no persistence), +1 mock, +2 bare proxy, +3/+4 gateways, +5/+6 processors.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRedis, generateRelayKey, publishSnapshot } from '@llm-relay/server-kit';
import { OwnRedis, startProcess, tempDir, uniquePrefix, type RunningProcess } from '@llm-relay/testkit';
import { closedLoop } from './load.ts';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds } from './procstat.ts';
import { median, pct } from './stats.ts';
import { singleMockSnapshot, type Target } from './stack.ts';

const { values: flags } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1,10' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    'port-base': { type: 'string', default: '7600' },
    baseline: { type: 'string' },
    processor: { type: 'boolean', default: false },
    prof: { type: 'string' },
    probe: { type: 'string' },
    /** KEY=VALUE for this checkout's gateway only (repeatable): A/B of a setting */
    env: { type: 'string', multiple: true, default: [] },
  },
});
const base = Number(flags['port-base']);
const probeEnv: Record<string, string> = flags.probe
  ? { NODE_OPTIONS: `--import ${resolve('bench/src/probe-preload.ts')}`, LATENCY_PROBE_DIR: resolve(flags.probe) }
  : {};
if (flags.probe) mkdirSync(flags.probe, { recursive: true });
const seconds = Number(flags.seconds);

interface Arm {
  name: string;
  target: Target;
  pid: number;
  /** other processes whose CPU belongs to this arm's requests (its processor) */
  extra: number[];
}
interface Row {
  rps: number[];
  p50: number[];
  p99: number[];
  gwUs: number[];
  redisUs: number[];
  mockUs: number[];
  procUs: number[];
  clientUs: number[];
}

/** CPU seconds per thread name of a process (main thread = the process's own name). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) / 100);
    }
  } catch {
    // gone
  }
  return out;
}

const tmp = tempDir('llm-relay-latab');
const started: RunningProcess[] = [];
const ownRedis = new OwnRedis('llm-relay-latab-redis', { persistent: false, port: base });
await ownRedis.start();
const redisUrl = ownRedis.url;
const redis = createRedis(redisUrl, 'client');
try {
  const mockPort = base + 1;
  const mock = await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(mockPort), '--mode', 'instant'], readyUrl: `http://127.0.0.1:${mockPort}/healthz` });
  started.push(mock);
  const barePort = base + 2;
  const bare = await startProcess({ name: 'bare', script: 'bench/src/bare-proxy.ts', args: ['--port', String(barePort), '--upstream', `http://127.0.0.1:${mockPort}`], env: probeEnv, readyUrl: `http://127.0.0.1:${barePort}/healthz` });
  started.push(bare);
  const key = generateRelayKey();
  const arms: Arm[] = [{ name: 'bare', target: { origin: `http://127.0.0.1:${barePort}`, model: 'bench-instant', headers: {} }, pid: bare.child.pid!, extra: [] }];
  const gws: [string, string][] = [['this', '.'], ...(flags.baseline ? [['baseline', flags.baseline] as [string, string]] : [])];
  for (const [i, [name, root]] of gws.entries()) {
    const prefix = uniquePrefix(`perflat-${name}`);
    await publishSnapshot(redis, prefix, singleMockSnapshot(`http://127.0.0.1:${mockPort}`, 'bench-instant', key));
    const port = base + 3 + i;
    const origin = `http://127.0.0.1:${port}`;
    const gw = await startProcess({
      name: `gateway-${name}`, script: join(resolve(root), 'services/gateway/src/index.ts'), readyUrl: `${origin}/healthz`, readyTimeoutMs: 60_000, echo: name === 'this' && Boolean(process.env.PERFLAT_ECHO),
      env: {
        GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', GATEWAY_ID: `gw-${name}`, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, JOURNAL_DIR: join(tmp.path, `journal-${name}`), LOG_LEVEL: 'warn',
        ...probeEnv,
        ...(flags.prof ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(flags.prof, name)}${flags.probe ? ` ${probeEnv.NODE_OPTIONS}` : ''}` } : {}),
        ...(name === 'this' ? Object.fromEntries(flags.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) : {}),
      },
    });
    started.push(gw);
    const extra: number[] = [];
    if (flags.processor) {
      const pport = base + 5 + i;
      const p = await startProcess({
        name: `processor-${name}`, script: 'services/log-processor/src/index.ts', readyUrl: `http://127.0.0.1:${pport}/healthz`, readyTimeoutMs: 60_000,
        env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: `sqlite:${join(tmp.path, `logs-${name}.db`)}`, PROCESSOR_PORT: String(pport), PROCESSOR_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      });
      started.push(p);
      extra.push(p.child.pid!);
    }
    arms.push({ name: `relay-${name}`, target: { origin, model: 'bench-instant', headers: { authorization: `Bearer ${key.secret}` } }, pid: gw.child.pid!, extra });
  }
  const redisPid = ownRedis.child!.pid!;
  const levels = flags.concurrency.split(',').map(Number);
  const rows = new Map<string, Row>();
  const row = (c: number, a: string) => {
    const k = `${c}|${a}`;
    if (!rows.has(k)) rows.set(k, { rps: [], p50: [], p99: [], gwUs: [], redisUs: [], mockUs: [], procUs: [], clientUs: [] });
    return rows.get(k)!;
  };
  const levelWindow = new Map<number, [number, number]>();
  for (const c of levels) {
    const from = Date.now();
    for (const a of arms) await closedLoop(a.target, { concurrency: c, durationMs: 1500 });
    for (let r = 0; r < Number(flags.rounds); r++) {
      const order = arms.map((_, i) => arms[(i + r) % arms.length]!);
      for (const a of order) {
        await sleep(300);
        const cpu = () => ({ gw: cpuSeconds(a.pid), redis: cpuSeconds(redisPid), mock: cpuSeconds(mock.child.pid!), proc: a.extra.reduce((s, p) => s + cpuSeconds(p), 0), client: process.cpuUsage() });
        const t0 = threadCpu(a.pid);
        const c0 = cpu();
        const res = await closedLoop(a.target, { concurrency: c, durationMs: seconds * 1000 });
        const c1 = cpu();
        const t1 = threadCpu(a.pid);
        const threads = [...t1].map(([k, v]) => `${k} ${(((v - (t0.get(k) ?? 0)) * 1e6) / res.ok).toFixed(0)}`).join(', ');
        if (res.errors) console.log(`  ${a.name}: ${res.errors} errors ${JSON.stringify(res.statuses)}`);
        const n = res.ok;
        const us = (x: number, y: number) => ((y - x) * 1e6) / n;
        const lat = [...res.latMs].sort((x, y) => x - y);
        const w = row(c, a.name);
        w.rps.push((n * 1000) / res.elapsedMs);
        w.p50.push(pct(lat, 50));
        w.p99.push(pct(lat, 99));
        w.gwUs.push(us(c0.gw, c1.gw));
        w.redisUs.push(us(c0.redis, c1.redis));
        w.mockUs.push(us(c0.mock, c1.mock));
        w.procUs.push(us(c0.proc, c1.proc));
        w.clientUs.push((c1.client.user + c1.client.system - c0.client.user - c0.client.system) / n);
        levelWindow.set(c, [from, Date.now() + 2500]);
        console.log(`c=${c} round ${r + 1} ${a.name}: ${w.rps.at(-1)!.toFixed(0)} req/s, p50 ${w.p50.at(-1)!.toFixed(2)} p99 ${w.p99.at(-1)!.toFixed(2)} ms; CPU µs/req gw ${w.gwUs.at(-1)!.toFixed(0)} redis ${w.redisUs.at(-1)!.toFixed(0)} mock ${w.mockUs.at(-1)!.toFixed(0)} proc ${w.procUs.at(-1)!.toFixed(0)} client ${w.clientUs.at(-1)!.toFixed(0)}; mean ${(res.latMs.reduce((x, y) => x + y, 0) / res.latMs.length).toFixed(2)} ms; gateway threads µs/req: ${threads}`);
      }
    }
  }
  console.log('\n| c | arm | req/s (median) | / bare (paired rounds, median) | p50 ms | p99 ms | p99 − bare (paired) | CPU µs/req: gateway | redis | mock | processor | client |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const c of levels) {
    const b = row(c, 'bare');
    for (const a of arms) {
      const w = row(c, a.name);
      const ratio = median(w.rps.map((x, i) => x / b.rps[i]!));
      const dp99 = median(w.p99.map((x, i) => x - b.p99[i]!));
      console.log(`| ${c} | ${a.name} | ${median(w.rps).toFixed(0)} | ${ratio.toFixed(2)}× | ${median(w.p50).toFixed(2)} | ${median(w.p99).toFixed(2)} | ${dp99 >= 0 ? '+' : ''}${dp99.toFixed(2)} | ${median(w.gwUs).toFixed(0)} | ${median(w.redisUs).toFixed(0)} | ${median(w.mockUs).toFixed(0)} | ${median(w.procUs).toFixed(0)} | ${median(w.clientUs).toFixed(0)} |`);
    }
  }
  if (flags.probe) {
    console.log('\n| c | arm | requests probed | GC pause ms per 1,000 requests | GCs per 1,000 requests | scavenge pause p50 / max ms | event-loop delay p99 (median of 2 s windows) / max ms | pre / up / post p50 µs |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const c of levels) {
      const [from, to] = levelWindow.get(c)!;
      for (const a of arms) {
        const file = join(flags.probe, `${a.name === 'bare' ? 'bare' : `gateway-gw-${a.name.slice('relay-'.length)}`}.jsonl`);
        if (!existsSync(file)) continue;
        const ls = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; reqs: number; gcs: number; gcMs: number; eldUs: { p99: number; max: number }; scavengeUs: { p50: number; max: number }; preUs: { p50: number }; upUs: { p50: number }; postUs: { p50: number } }).filter((l) => l.t >= from && l.t <= to && l.reqs >= 50);
        const reqs = ls.reduce((s2, l) => s2 + l.reqs, 0);
        if (!reqs) continue;
        const sum = (f: (l: (typeof ls)[number]) => number) => ls.reduce((s2, l) => s2 + f(l), 0);
        const med = (f: (l: (typeof ls)[number]) => number) => {
          const xs = ls.map(f).filter((x) => x > 0);
          return xs.length ? median(xs) : 0;
        };
        const scav = ls.filter((l) => l.scavengeUs.max > 0);
        console.log(`| ${c} | ${a.name} | ${reqs} | ${((1000 * sum((l) => l.gcMs)) / reqs).toFixed(1)} | ${((1000 * sum((l) => l.gcs)) / reqs).toFixed(2)} | ${scav.length ? (median(scav.map((l) => l.scavengeUs.p50)) / 1000).toFixed(1) : '-'} / ${(Math.max(0, ...ls.map((l) => l.scavengeUs.max)) / 1000).toFixed(1)} | ${(med((l) => l.eldUs.p99) / 1000).toFixed(1)} / ${(Math.max(...ls.map((l) => l.eldUs.max)) / 1000).toFixed(1)} | ${med((l) => l.preUs.p50).toFixed(0)} / ${med((l) => l.upUs.p50).toFixed(0)} / ${med((l) => l.postUs.p50).toFixed(0)} |`);
      }
    }
  }
} finally {
  for (const p of started.reverse()) await p.stop().catch(() => null);
  redis.disconnect();
  await ownRedis.remove();
  tmp.remove();
}
process.exit(0);
