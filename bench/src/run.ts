import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createRedis } from '@llm-relay/server-kit';
import { startProcess } from '@llm-relay/testkit';
import { env } from './env.ts';
import type { ExchangeEvent } from '@llm-relay/contracts';
import { synthesizeEvents, sampleQueuedEvents } from './events.ts';
import { HELP, parseFlags } from './flags.ts';
import { machineInfo } from './machine.ts';
import { pipelineBench } from './pipeline.ts';
import { inclusiveTime, topSelfTime } from './profile.ts';
import { rssMiB } from './procstat.ts';
import { latencyAdded, renderReport, streamAdded, throughputOf, type Results } from './report.ts';
import { QueueJanitor, latencyScenario, streamScenario, throughputScenario } from './scenarios.ts';
import { slowReaders } from './slow-readers.ts';
import { ARM_LABELS, startStack, type Arm } from './stack.ts';
import { renderCharts } from './charts.ts';
import { saturate } from './throughput.ts';
import { chatBody } from './load.ts';

/** the gateway's per-request steps whose inclusive CPU the profile section lists */
const GATEWAY_STEPS = [
  'badRequestTarget', 'authenticate', 'hashKey', 'readAttributionHeaders', 'readJsonFields', 'scanTopLevel', 'jsonDepth', 'route', 'admit', 'forward',
  'upstreamHeaders', 'relayResponse', 'clientHeaders', 'finishExchange', 'toEvent', 'push@event-sink.ts', 'write@event-sink.ts', 'stringify', 'append@journal.ts',
  'addBulk', 'observe', 'inc', 'parserOnHeadersComplete', 'writev', 'writeGeneric', 'garbage collector',
];
const flags = parseFlags(process.argv.slice(2));
if (flags === 'help') {
  console.log(HELP);
  process.exit(0);
}
const { plan, sections } = flags;
const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const t0 = Date.now();
const outPath = resolve(flags.out);
const chartDir = join(dirname(outPath), 'charts');
const work = mkdtempSync(join(tmpdir(), 'llm-relay-bench-'));

const results: Results = {
  startedAt: new Date().toISOString(),
  durationSec: 0,
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  env: machineInfo(),
  arms: [],
  armErrors: {},
  latency: [],
  streams: [],
  memory: { idle: {}, slow: [] },
  pipeline: [],
  pipelineSource: '',
  charts: [],
};
{
  const r = createRedis(env.REDIS_URL, 'client');
  results.env.versions.redis = /redis_version:(\S+)/.exec(await r.info('server'))?.[1] ?? '?';
  r.disconnect();
}

/** One plain and one streamed request per arm; an arm that cannot answer is reported and left out. */
async function sanity(arm: Arm): Promise<string | undefined> {
  const t = arm.target('instant');
  try {
    const res = await fetch(`${t.origin}/v1/chat/completions`, { method: 'POST', headers: { ...t.headers, 'content-type': 'application/json' }, body: chatBody(t.model, false) });
    const text = await res.text();
    if (res.status !== 200 || !text.includes('Hello! You said')) return `plain request: HTTP ${res.status} ${text.slice(0, 200)}`;
  } catch (err) {
    return `plain request failed: ${String(err)}`;
  }
  return undefined;
}

log('starting the stack (mocks, bare proxies, 3 gateways, peer unless left out)');
const proxySections = ['latency', 'fixed', 'throughput', 'stream'] as const;
const stack = await startStack({ redisUrl: env.REDIS_URL, withPeer: flags.peer && proxySections.some((s) => sections.has(s)) });
const janitor = new QueueJanitor(env.REDIS_URL, [stack.gateways.on.prefix, stack.gateways.off.prefix, stack.gateways.workers.prefix]);
// real events for the pipeline bench: plain ones from the latency runs, streamed ones (64 chunks) from the stream runs;
// the slow-reader answers (1000 chunks) would not be typical traffic, so big answers are left out
const SAMPLE_EACH = 100;
const plainSamples: ExchangeEvent[] = [];
const streamSamples: ExchangeEvent[] = [];
const collectSamples = async () => {
  if (plainSamples.length >= SAMPLE_EACH && streamSamples.length >= SAMPLE_EACH) return;
  for (const ev of await sampleQueuedEvents(env.REDIS_URL, stack.gateways.on.prefix, 1000)) {
    if (ev.outcome !== 'ok' || ev.response.body.bytes > 64 * 1024) continue;
    const into = ev.response.stream ? streamSamples : plainSamples;
    if (into.length < SAMPLE_EACH) into.push(ev);
  }
};
const between = async () => {
  await collectSamples();
  await janitor.sweep();
};
try {
  if (stack.peerError) results.armErrors.peer = `did not start: ${stack.peerError}`;
  const arms: Arm[] = [];
  for (const arm of stack.arms) {
    const err = await sanity(arm);
    if (err) results.armErrors[arm.name] = err;
    else arms.push(arm);
  }
  results.arms = arms.map((a) => a.name);
  log(`arms: ${arms.map((a) => a.name).join(', ')}${Object.keys(results.armErrors).length ? ` (failed: ${Object.keys(results.armErrors).join(', ')})` : ''}`);
  await new Promise((r) => setTimeout(r, 1000));
  for (const arm of arms) if (arm.pid) results.memory.idle[arm.name] = rssMiB(arm.pid);

  if (sections.has('latency')) {
    for (const c of [1, 10]) {
      log(`latency, instant mock, ${c} concurrent`);
      results.latency.push(await latencyScenario(arms, 'instant', c, plan, between));
    }
  }
  if (sections.has('fixed')) {
    log('latency, fixed 50 ms mock, 10 concurrent');
    results.latency.push(await latencyScenario(arms, 'fixed', 10, { ...plan, rounds: Math.max(1, plan.rounds - 1) }, between));
  }
  if (sections.has('throughput')) {
    log(`throughput, autocannon ${plan.connections} connections`);
    results.throughput = await throughputScenario(arms, plan, between);
  }
  if (sections.has('stream')) {
    // 50 streams twice: started together (a burst the gateway must take in one go), then staggered evenly
    // over one stream's length (64 × 20 ms), like independent clients
    for (const [c, total, stagger] of [[1, plan.streams1, 0], [50, plan.streams50, 0], [50, plan.streams50, Math.round((64 * 20) / 50)]] as const) {
      log(`streaming, ${c} concurrent${stagger ? ` staggered ${stagger} ms` : ''}, ${total} streams per arm`);
      results.streams.push(await streamScenario(arms, c, total, plan, between, stagger));
    }
    const peerStreams = results.streams.map((x) => x.byArm.peer).filter((x) => x !== undefined);
    if (stack.peer && peerStreams.some((x) => x.errors > 0)) {
      // say why, from the peer's own output (it fails with `TypeError: immutable` in its updateHeaders)
      const why = stack.peer.proc.output().split('\n').find((l) => /TypeError|Error:/.test(l))?.trim().slice(0, 200);
      results.armErrors.peer = `streaming arm failed (${peerStreams.reduce((a, x) => a + x.errors, 0)} of ${peerStreams.reduce((a, x) => a + x.errors + x.streams, 0)} streams): ${peerStreams.find((x) => x.errorSamples.length)?.errorSamples[0] ?? ''}${why ? `; the peer logged \`${why}\`` : ''}`;
    }
  }
  if (sections.has('memory')) {
    for (const arm of arms.filter((a) => a.name === 'relay-off' || a.name === 'relay-on')) {
      log(`memory: ${plan.slowStreams} slow-reading streams through ${ARM_LABELS[arm.name]}`);
      const res = await slowReaders(arm.target('stream'), arm.pid!, { streams: plan.slowStreams, chunks: plan.slowChunks, holdSec: plan.slowHoldSec, answerTimeoutSec: 60 });
      results.memory.slow.push({ arm: arm.name, ...res });
      await janitor.sweep();
    }
  }
  await between();

  // the profile pass: only when a gateway target was missed
  const reasons: string[] = [];
  const l1 = latencyAdded(results, 1, 'relay-on', 'p50');
  const l10 = latencyAdded(results, 10, 'relay-on', 'p50');
  const ratio = throughputOf(results, 'relay-on') / throughputOf(results, 'peer');
  for (const c of [1, 50]) {
    const ttft = streamAdded(results, c, 'relay-on', 'ttftMs', 'p50');
    if (ttft > 1) reasons.push(`streaming added TTFT at ${c} streams ${ttft.toFixed(3)} ms > 1 ms`);
  }
  if (l1 > 0.5) reasons.push(`added p50 at 1 concurrent ${l1.toFixed(3)} ms > 0.5 ms`);
  if (l10 > 2) reasons.push(`added p50 at 10 concurrent ${l10.toFixed(3)} ms > 2 ms`);
  if (ratio < 2) reasons.push(`throughput ${ratio.toFixed(2)}× the peer < 2×`);
  if (sections.has('profile') && flags.profile && (reasons.length || flags.sections.size === 1)) {
    log('profiling the capture-on gateway under saturation');
    const profDir = join(work, 'profile');
    mkdirSync(profDir, { recursive: true });
    const { freePort } = await import('@llm-relay/testkit');
    const port = await freePort();
    const spawnedAt = Date.now();
    const gw = await startProcess({
      name: 'gateway-profiled', script: 'services/gateway/src/index.ts', readyUrl: `http://127.0.0.1:${port}/healthz`, readyTimeoutMs: 30_000,
      env: { GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', GATEWAY_ID: 'gateway-profiled', REDIS_URL: env.REDIS_URL, REDIS_PREFIX: stack.gateways.on.prefix, JOURNAL_DIR: join(work, 'journal-prof'), LOG_LEVEL: 'warn', NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` },
    });
    const target = { ...arms.find((a) => a.name === 'relay-on')!.target('instant'), origin: `http://127.0.0.1:${port}` };
    await saturate(target, { connections: plan.connections, durationSec: 2 });
    const skipMs = Date.now() - spawnedAt;
    const r = await saturate(target, { connections: plan.connections, durationSec: plan.throughputSec * 2 });
    await gw.stop(20_000);
    await janitor.sweep();
    // start-up and warm-up samples left out: only the saturated stretch counts
    const top = topSelfTime(profDir, skipMs);
    const steps = inclusiveTime(profDir, GATEWAY_STEPS, skipMs);
    results.profile = { reason: reasons.join('; ') || 'requested', lines: top.lines, byArea: top.byArea, rps: r.rps, steps };
    if (flags.keepProfile) {
      mkdirSync(flags.keepProfile, { recursive: true });
      for (const f of top.files) writeFileSync(join(flags.keepProfile, f), readFileSync(join(profDir, f)));
    }
  }

  if (sections.has('pipeline')) {
    let samples: ExchangeEvent[] = [];
    for (let i = 0; i < Math.max(plainSamples.length, streamSamples.length); i++) samples.push(...[plainSamples[i], streamSamples[i]].filter((e) => e !== undefined));
    if (samples.length < 20) {
      samples = await synthesizeEvents(stack.mocks.instant.origin);
      results.pipelineSource = `${samples.length} events built from the mock's real answers (a plain and a streamed chat completion), because the proxy sections did not run`;
    } else {
      results.pipelineSource = `copies (new id, shifted timestamps) of ${samples.length} real events the capture-on gateway queued during this run, used in turn (${plainSamples.length} plain chat completions, ${streamSamples.length} streamed with 64 chunks)`;
    }
    const peak = throughputOf(results, 'relay-on');
    const rate = Number.isFinite(peak) ? Math.round(peak) : 1000;
    for (const store of ['sqlite', 'ferretdb'] as const) {
      log(`pipeline: ${flags.events} events into ${store}, then ${rate}/s for ${flags.lagSec} s`);
      results.pipeline.push(await pipelineBench({ redisUrl: env.REDIS_URL, store, samples, n: flags.events, peakRate: rate, lagSec: flags.lagSec, dir: work }));
    }
    const sqlite = results.pipeline.find((p) => p.store === 'sqlite' && !p.error);
    if (flags.profile && sqlite && sqlite.logsPerSec < rate) {
      log('profiling the log processor (sqlite) while it drains a backlog');
      const profDir = join(work, 'profile-processor');
      mkdirSync(profDir, { recursive: true });
      const n = Math.max(1000, Math.round(flags.events / 2));
      const p = await pipelineBench({ redisUrl: env.REDIS_URL, store: 'sqlite', samples, n, peakRate: rate, lagSec: 0, dir: work, cpuProfDir: profDir });
      const top = topSelfTime(profDir, p.throughputStartMs ?? 0);
      results.processorProfile = { reason: `SQLite stores ${Math.round(sqlite.logsPerSec)} logs/s, below the gateway's peak ${rate} req/s`, lines: top.lines, byArea: top.byArea, rps: p.logsPerSec };
    }
  }
} finally {
  log('stopping');
  await janitor.close();
  await stack.cleanup();
  rmSync(work, { recursive: true, force: true });
}

results.env.loadAfter = loadavg();
results.durationSec = (Date.now() - t0) / 1000;
mkdirSync(chartDir, { recursive: true });
results.charts = renderCharts(results, chartDir);
writeFileSync(outPath, renderReport(results));
log(`report written to ${outPath}`);
for (const [arm, err] of Object.entries(results.armErrors)) log(`arm failed: ${ARM_LABELS[arm as keyof typeof ARM_LABELS]}: ${err}`);
process.exit(0);
