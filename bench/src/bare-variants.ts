// What two of the gateway's choices cost on the bare proxy's floor: the bare proxy as the bench runs it (`stream`:
// request body piped, answer piped through pool.stream), with the request body read whole first
// (`buffered-body`), and with the answer taken through pool.request's Readable and sent whole (`request`, as the
// gateway does). Closed loop, arms interleaved round by round; CPU µs per request of each proxy from /proc.
// usage: node bench/src/bare-variants.ts [--concurrency 1] [--rounds 6] [--seconds 3] [--port-base 7640]
import { parseArgs } from 'node:util';
import { startProcess, type RunningProcess } from '@llm-relay/testkit';
import { closedLoop } from './load.ts';
import { cpuSeconds } from './procstat.ts';
import { pct } from './stats.ts';

const { values: flags } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '3' },
    'port-base': { type: 'string', default: '7640' },
  },
});
const base = Number(flags['port-base']);
const c = Number(flags.concurrency);
const procs: RunningProcess[] = [];
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
try {
  const upstream = `http://127.0.0.1:${base}`;
  procs.push(await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(base), '--mode', 'instant'], readyUrl: `${upstream}/healthz` }));
  const arms: { mode: string; origin: string; pid: number; us: number[]; rps: number[]; p50: number[] }[] = [];
  for (const [i, mode] of ['stream', 'buffered-body', 'request'].entries()) {
    const port = base + 1 + i;
    const p = await startProcess({ name: `bare-${mode}`, script: 'bench/src/bare-proxy.ts', args: ['--port', String(port), '--upstream', upstream, '--mode', mode], readyUrl: `http://127.0.0.1:${port}/healthz` });
    procs.push(p);
    arms.push({ mode, origin: `http://127.0.0.1:${port}`, pid: p.child.pid!, us: [], rps: [], p50: [] });
  }
  const target = (origin: string) => ({ origin, model: 'bench-instant', headers: {} });
  for (const a of arms) await closedLoop(target(a.origin), { concurrency: c, durationMs: 1500 });
  for (let r = 0; r < Number(flags.rounds); r++) {
    for (const a of arms.map((_, i) => arms[(i + r) % arms.length]!)) {
      const c0 = cpuSeconds(a.pid);
      const res = await closedLoop(target(a.origin), { concurrency: c, durationMs: Number(flags.seconds) * 1000 });
      const c1 = cpuSeconds(a.pid);
      if (res.errors) console.log(`${a.mode}: ${res.errors} errors ${JSON.stringify(res.statuses)}`);
      a.us.push(((c1 - c0) * 1e6) / res.ok);
      a.rps.push((res.ok * 1000) / res.elapsedMs);
      a.p50.push(pct([...res.latMs].sort((x, y) => x - y), 50));
    }
  }
  console.log(`| ${c} concurrent | CPU µs/request | req/s | p50 ms | req/s / stream (paired rounds: median; each) | CPU / stream (paired, median) |`);
  console.log('|---|---|---|---|---|---|');
  for (const a of arms) {
    const ratios = a.rps.map((x, i) => x / arms[0]!.rps[i]!);
    console.log(`| ${a.mode} | ${median(a.us).toFixed(0)} | ${median(a.rps).toFixed(0)} | ${median(a.p50).toFixed(3)} | ${median(ratios).toFixed(2)}; ${ratios.map((x) => x.toFixed(2)).join(' ')} | ${median(a.us.map((x, i) => x / arms[0]!.us[i]!)).toFixed(2)} |`);
  }
} finally {
  for (const p of procs.reverse()) await p.stop().catch(() => null);
}
process.exit(0);
