import type { PipelineResult } from './pipeline.ts';
import type { ProfileLine } from './profile.ts';
import type { LatencyResult, StreamScenario, ThroughputScenario } from './scenarios.ts';
import type { SlowResult } from './slow-readers.ts';
import { ARM_LABELS, type ArmName } from './stack.ts';
import { fmt, fmtInt, summarize } from './stats.ts';

export interface ProfileSection {
  reason: string;
  lines: ProfileLine[];
  byArea: { area: string; pct: number }[];
  /** req/s (gateway) or logs/s (processor) while profiled */
  rps: number;
  /** inclusive time of the gateway's per-request steps */
  steps?: { fn: string; pct: number }[];
}

export interface Results {
  startedAt: string;
  durationSec: number;
  command: string;
  env: { commit: string; dirty: boolean; node: string; cpu: string; cores: number; memGiB: number; loadBefore: number[]; loadAfter: number[]; versions: Record<string, string> };
  arms: ArmName[];
  armErrors: Partial<Record<ArmName, string>>;
  latency: LatencyResult[];
  throughput?: ThroughputScenario;
  streams: StreamScenario[];
  memory: { idle: Partial<Record<ArmName, number>>; slow: (SlowResult & { arm: ArmName })[] };
  pipeline: PipelineResult[];
  pipelineSource: string;
  profile?: ProfileSection;
  processorProfile?: ProfileSection;
  charts: string[];
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const head = (cells: string[]) => `${row(cells)}\n${row(cells.map(() => '---'))}`;

/** Median of the rounds: on a shared machine one round can be hit by someone else's burst. */
export function throughputOf(r: Results, arm: ArmName): number {
  const runs = r.throughput?.byArm[arm]?.runs ?? [];
  return runs.length ? summarize(runs.map((x) => x.rps)).p50 : Number.NaN;
}

/** Closed-loop requests per second of one arm in the instant-mock latency scenario at `conc` concurrent. */
export function latencyRate(r: Results, conc: number, arm: ArmName): number {
  const a = r.latency.find((x) => x.concurrency === conc && x.mode === 'instant')?.byArm[arm];
  return a && a.seconds ? a.ok / a.seconds : Number.NaN;
}

export function latencyP99(r: Results, conc: number, arm: ArmName): number {
  const a = r.latency.find((x) => x.concurrency === conc && x.mode === 'instant')?.byArm[arm];
  return a ? summarize(a.latMs).p99 : Number.NaN;
}

export function latencyAdded(r: Results, conc: number, arm: ArmName, p: 'p50' | 'p99', mode = 'instant'): number {
  const l = r.latency.find((x) => x.concurrency === conc && x.mode === mode);
  const a = l?.byArm[arm];
  const d = l?.byArm.direct;
  if (!a?.latMs.length || !d?.latMs.length) return Number.NaN;
  return summarize(a.latMs)[p] - summarize(d.latMs)[p];
}

export function streamAdded(r: Results, conc: number, arm: ArmName, what: 'ttftMs' | 'gapMs', p: 'p50' | 'p99', staggerMs = 0): number {
  const s = r.streams.find((x) => x.concurrency === conc && x.staggerMs === staggerMs);
  const a = s?.byArm[arm];
  const d = s?.byArm.direct;
  if (!a?.[what].length || !d?.[what].length) return Number.NaN;
  return summarize(a[what])[p] - summarize(d[what])[p];
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'not measured' : ok ? '**met**' : '**missed**';
}

function targets(r: Results): string {
  const on = 'relay-on' as const;
  const lines: string[] = [head(['target (ARCHITECTURE.md)', 'measured (capture on)', 'verdict'])];
  const l1 = latencyAdded(r, 1, on, 'p50');
  const l10 = latencyAdded(r, 10, on, 'p50');
  lines.push(row(['added latency p50 ≤ 0.5 ms at 1 concurrent', `${fmt(l1, 3)} ms`, verdict(Number.isFinite(l1) ? l1 <= 0.5 : undefined)]));
  lines.push(row(['added latency p50 ≤ 2 ms at 10 concurrent', `${fmt(l10, 3)} ms`, verdict(Number.isFinite(l10) ? l10 <= 2 : undefined)]));
  const lf = latencyAdded(r, 10, on, 'p50', 'fixed');
  if (Number.isFinite(lf)) lines.push(row(['the same with a 50 ms upstream (fixed mock)', `${fmt(lf, 3)} ms`, verdict(lf <= 2)]));
  const tOn = throughputOf(r, on);
  const tPeer = throughputOf(r, 'peer');
  for (const [c, goal] of [[1, 0.85], [10, 0.5]] as const) {
    const x = latencyRate(r, c, on) / latencyRate(r, c, 'bare');
    lines.push(row([`closed-loop req/s at ${c} concurrent ≥ ${goal}× the bare Node proxy`, `${fmt(x, 3)}×`, verdict(Number.isFinite(x) ? x >= goal : undefined)]));
  }
  const p99Over = latencyP99(r, 10, on) - latencyP99(r, 10, 'bare');
  lines.push(row(['p99 at 10 concurrent ≤ bare proxy p99 + 5 ms', `${fmt(p99Over, 3)} ms over the bare proxy`, verdict(Number.isFinite(p99Over) ? p99Over <= 5 : undefined)]));
  const tBare = throughputOf(r, 'bare');
  lines.push(row(['saturation throughput (autocannon) × the bare Node proxy', `${fmt(tOn / tBare, 3)}×`, '']));
  lines.push(row(['throughput ≥ 2× peer gateway', `${fmtInt(tOn)} vs ${fmtInt(tPeer)} req/s = ${fmt(tOn / tPeer, 2)}×`, verdict(Number.isFinite(tOn / tPeer) ? tOn / tPeer >= 2 : undefined)]));
  for (const sc of r.streams) {
    const c = sc.concurrency;
    const what = `${c} stream${c > 1 ? 's' : ''}${c > 1 ? (sc.staggerMs ? `, staggered ${sc.staggerMs} ms` : ', started together') : ''}`;
    const ttft = streamAdded(r, c, on, 'ttftMs', 'p50', sc.staggerMs);
    const gap = streamAdded(r, c, on, 'gapMs', 'p99', sc.staggerMs);
    lines.push(row([`streaming added TTFT ≤ 1 ms (p50, ${what})`, `${fmt(ttft, 3)} ms`, verdict(Number.isFinite(ttft) ? ttft <= 1 : undefined)]));
    lines.push(row([`added inter-chunk gap p99 ≤ 1 ms (${what})`, `${fmt(gap, 3)} ms`, verdict(Number.isFinite(gap) ? gap <= 1 : undefined)]));
    const s = sc.byArm[on];
    if (s) lines.push(row([`no buffering, every chunk arrives (${what}; rule: all chunks, no errors, ≤ 1 % coalesced, or no more than direct)`, `${fmtInt(s.contentFrames)}/${fmtInt(s.expectedFrames)} chunks, ${s.coalesced} coalesced (direct: ${sc.byArm.direct?.coalesced ?? '—'}), ${s.errors} errors`, verdict(s.contentFrames === s.expectedFrames && s.errors === 0 && (s.coalesced <= s.contentFrames * 0.01 || s.coalesced <= (sc.byArm.direct?.coalesced ?? 0)))]));
  }
  for (const p of r.pipeline) {
    if (!p.lag) continue;
    const keeps = Number.isFinite(p.lag.drainAfterStopSec) && p.lag.drainAfterStopSec < 2;
    lines.push(row([`processor keeps up with the gateway's peak rate (${p.store})`, `${fmtInt(p.lag.rate)} ev/s offered, max backlog ${fmtInt(p.lag.maxBacklog)}, drained ${fmt(p.lag.drainAfterStopSec, 2)} s after the last`, verdict(keeps)]));
    lines.push(row([`log stored ≤ 250 ms p95 after the response (${p.store}; the live view adds the admin fan-out)`, `p95 ≤ ${fmt(p.lag.lagP95Sec * 1000, 0)} ms (histogram bucket bound)`, verdict(Number.isFinite(p.lag.lagP95Sec) ? p.lag.lagP95Sec <= 0.25 : undefined)]));
  }
  for (const slow of r.memory.slow) {
    const grew = slow.rssPeakMiB - slow.rssBeforeMiB;
    const total = (slow.answered * slow.bytesPerStream) / 2 ** 20;
    const perStream = (grew * 1024) / Math.max(1, slow.answered);
    lines.push(row([`memory bounded under ${slow.streams} slow-reading streams (${ARM_LABELS[slow.arm]}; rule: RSS growth < ½ of the answers' total)`, `${slow.answered} answered; RSS +${fmt(grew, 0)} MiB at peak (${fmtInt(perStream)} KiB per stream) while the answers total ${fmtInt(total)} MiB`, verdict(slow.answered > 0 ? grew < total / 2 : undefined)]));
  }
  return lines.join('\n');
}

function latencyTables(r: Results): string {
  const out: string[] = [];
  for (const l of r.latency) {
    out.push(`\n### ${l.mode === 'fixed' ? 'Fixed 50 ms upstream' : 'Instant upstream'}, ${l.concurrency} concurrent\n`);
    out.push(head(['arm', 'requests', 'req/s', '× direct', '× bare proxy', '× peer', 'p50 ms', 'p90 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'p99 − bare p99 ms', 'errors']));
    const rate = (arm: ArmName) => { const a = l.byArm[arm]; return a && a.seconds ? a.ok / a.seconds : Number.NaN; };
    const b = l.byArm.bare ? summarize(l.byArm.bare.latMs) : undefined;
    for (const arm of r.arms) {
      const a = l.byArm[arm];
      if (!a) continue;
      const s = summarize(a.latMs);
      const d = l.byArm.direct ? summarize(l.byArm.direct.latMs) : undefined;
      const rps = rate(arm);
      out.push(row([ARM_LABELS[arm], fmtInt(s.n), fmtInt(rps), fmt(rps / rate('direct'), 3), fmt(rps / rate('bare'), 3), arm === 'peer' ? '' : fmt(rps / rate('peer'), 2), fmt(s.p50, 3), fmt(s.p90, 3), fmt(s.p99, 3), d && arm !== 'direct' ? fmt(s.p50 - d.p50, 3) : '', d && arm !== 'direct' ? fmt(s.p99 - d.p99, 3) : '', b && arm !== 'bare' ? fmt(s.p99 - b.p99, 3) : '', a.errors ? `${a.errors} (${JSON.stringify(a.statuses)})` : '0']));
    }
  }
  return out.join('\n');
}

function throughputTable(r: Results): string {
  const t = r.throughput;
  if (!t) return '_not run_';
  const direct = throughputOf(r, 'direct');
  const peer = throughputOf(r, 'peer');
  const bare = throughputOf(r, 'bare');
  const out = [head(['arm', 'req/s (median of rounds)', 'rounds', '× direct', '× bare proxy', '× peer', 'autocannon p50 / p99 ms', 'non-2xx / errors', 'process CPU µs per request', 'RSS peak MiB'])];
  for (const arm of r.arms) {
    const a = t.byArm[arm];
    if (!a) continue;
    const rps = throughputOf(r, arm);
    const last = a.runs.at(-1)!;
    out.push(row([ARM_LABELS[arm], fmtInt(rps), a.runs.map((x) => fmtInt(x.rps)).join(', '), fmt(rps / direct, 3), fmt(rps / bare, 3), arm === 'peer' ? '' : fmt(rps / peer, 2), `${last.p50Ms} / ${last.p99Ms}`, `${a.runs.reduce((s, x) => s + x.non2xx, 0)} / ${a.runs.reduce((s, x) => s + x.errors, 0)}`, arm === 'direct' ? '(mock not measured)' : fmt(a.cpuUsPerReq, 0), fmt(a.rssPeakMiB, 0)]));
  }
  return out.join('\n');
}

function streamTables(r: Results): string {
  const out: string[] = [];
  for (const s of r.streams) {
    out.push(`\n### ${s.concurrency} concurrent stream${s.concurrency > 1 ? 's' : ''} (64 chunks, 20 ms apart${s.concurrency > 1 ? (s.staggerMs ? `; starts staggered ${s.staggerMs} ms apart` : '; all started together') : ''})\n`);
    out.push(head(['arm', 'streams', 'chunks counted / expected', 'coalesced', 'TTFT p50 / p99 ms', 'added TTFT p50 / p99 ms', 'gap p50 / p99 ms', 'added gap p50 / p99 ms', 'errors']));
    const d = s.byArm.direct;
    for (const arm of r.arms) {
      const a = s.byArm[arm];
      if (!a) continue;
      const ttft = summarize(a.ttftMs);
      const gap = summarize(a.gapMs);
      const dt = d ? summarize(d.ttftMs) : undefined;
      const dg = d ? summarize(d.gapMs) : undefined;
      const added = (x: number, y: number | undefined) => (arm === 'direct' || y === undefined ? '' : fmt(x - y, 3));
      out.push(row([
        ARM_LABELS[arm], fmtInt(a.streams), `${fmtInt(a.contentFrames)} / ${fmtInt(a.expectedFrames)}`, fmtInt(a.coalesced), `${fmt(ttft.p50, 2)} / ${fmt(ttft.p99, 2)}`,
        `${added(ttft.p50, dt?.p50)} / ${added(ttft.p99, dt?.p99)}`, `${fmt(gap.p50, 3)} / ${fmt(gap.p99, 3)}`, `${added(gap.p50, dg?.p50)} / ${added(gap.p99, dg?.p99)}`,
        a.errors ? `${a.errors}: ${a.errorSamples[0]?.replace(/\|/g, '/').slice(0, 160)}` : '0',
      ]));
    }
  }
  return out.join('\n');
}

function memoryTable(r: Results): string {
  const out = [head(['arm', 'idle RSS MiB', 'peak RSS under saturation MiB'])];
  for (const arm of r.arms) {
    if (arm === 'direct') continue;
    out.push(row([ARM_LABELS[arm], fmt(r.memory.idle[arm] ?? Number.NaN, 0), fmt(r.throughput?.byArm[arm]?.rssPeakMiB ?? Number.NaN, 0)]));
  }
  if (r.memory.slow.length) {
    const s0 = r.memory.slow[0]!;
    out.push('', `**${s0.streams} slow-reading streams**: each answer is ${fmtInt(s0.bytesPerStream / 1024)} KiB sent by the mock without pacing (more than the loopback socket buffers hold), each client reads 1 KiB/s; held ${s0.holdSec} s once every stream had its status line. A gateway that ignores backpressure holds the answers in memory; one that respects it leaves them in the mock (which also respects backpressure).`, '');
    out.push(head(['gateway', 'connected', 'answered 200', 'seconds until answered', 'RSS before MiB', 'RSS peak MiB', 'RSS 5 s after close MiB']));
    for (const s of r.memory.slow) out.push(row([ARM_LABELS[s.arm], fmtInt(s.connected), fmtInt(s.answered), fmt(s.answerSec, 1), fmt(s.rssBeforeMiB, 0), fmt(s.rssPeakMiB, 0), fmt(s.rssAfterMiB, 0)]));
  }
  return out.join('\n');
}

function captureCost(r: Results): string {
  const on = throughputOf(r, 'relay-on');
  const off = throughputOf(r, 'relay-off');
  const cOn = r.throughput?.byArm['relay-on']?.cpuUsPerReq ?? Number.NaN;
  const cOff = r.throughput?.byArm['relay-off']?.cpuUsPerReq ?? Number.NaN;
  const l1 = latencyAdded(r, 1, 'relay-on', 'p50') - latencyAdded(r, 1, 'relay-off', 'p50');
  const l10 = latencyAdded(r, 10, 'relay-on', 'p50') - latencyAdded(r, 10, 'relay-off', 'p50');
  return [
    head(['figure', 'capture off', 'capture on', 'cost of capture']),
    row(['throughput req/s (median of rounds)', fmtInt(off), fmtInt(on), `${fmt((100 * (on - off)) / off, 1)} % change`]),
    row(['gateway CPU µs per request', fmt(cOff, 0), fmt(cOn, 0), `+${fmt(cOn - cOff, 0)} µs`]),
    row(['p50 latency at 1 / 10 concurrent', '', '', `${fmt(l1, 3)} / ${fmt(l10, 3)} ms`]),
  ].join('\n');
}

function pipelineTable(r: Results): string {
  if (!r.pipeline.length) return '_not run_';
  const out = [head(['store', 'events', 'seconds', 'logs / s', 'offered at peak rate', 'max backlog', 'drain after last event s', 'lag p50 / p95 / p99 (bucket bounds)', 'failed attempts', 'processor RSS peak MiB'])];
  for (const p of r.pipeline) {
    if (p.error) {
      out.push(row([p.store, fmtInt(p.n), '', `**failed**: ${p.error.replace(/\|/g, '/').slice(0, 200)}`, '', '', '', '', '', '']));
      continue;
    }
    const l = p.lag;
    const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x === Infinity ? '> 300 s' : `${fmt(x * 1000, 0)} ms`);
    out.push(row([p.store, fmtInt(p.inserted), fmt(p.seconds, 1), fmtInt(p.logsPerSec), l ? `${fmtInt(l.offered)} (${fmtInt(l.rate)}/s × ${l.seconds} s)` : '', l ? fmtInt(l.maxBacklog) : '', l ? fmt(l.drainAfterStopSec, 2) : '', l ? `${ms(l.lagP50Sec)} / ${ms(l.lagP95Sec)} / ${ms(l.lagP99Sec)}` : '', fmtInt(p.failedAttempts), fmt(p.rssPeakMiB, 0)]));
  }
  return out.join('\n');
}

function validity(r: Results): string {
  const direct = throughputOf(r, 'direct');
  const on = throughputOf(r, 'relay-on');
  const ratio = direct / on;
  const e = r.env;
  return [
    head(['check', 'value', '']),
    row(['direct throughput ≥ 3× the gateway (else the mock or load generator is the bottleneck)', `${fmtInt(direct)} / ${fmtInt(on)} = ${fmt(ratio, 2)}×`, Number.isFinite(ratio) ? (ratio >= 3 ? 'OK' : '**NOT OK** — the gateway figures are bounded by the machine, not only by the gateway') : 'not measured']),
    row(['load average before (1/5/15 min)', e.loadBefore.map((x) => x.toFixed(2)).join(' / '), e.loadBefore[0]! > e.cores * 0.5 ? '**busy machine**: other work was running' : 'quiet']),
    row(['load average after', e.loadAfter.map((x) => x.toFixed(2)).join(' / '), '(includes this benchmark)']),
    ...(e.loadBefore[0]! > e.cores
      ? [row(['what a busy machine means here', `more runnable processes than cores (${e.cores})`, 'the processes under test waited for CPU: tail figures (p99, and "added" p99 gaps, which can come out negative) measure the scheduler more than the gateway; medians and CPU µs per request are the steadier figures. Re-run on a quiet machine for target verdicts on tails.'])]
      : []),
    row(['machine', `${e.cpu}, ${e.cores} cores, ${fmt(e.memGiB, 1)} GiB`, '']),
    row(['commit', `${e.commit}${e.dirty ? ' (work tree has uncommitted changes under services/ or packages/)' : ''}`, '']),
    row(['versions', Object.entries(e.versions).map(([k, v]) => `${k} ${v}`).join(', '), '']),
  ].join('\n');
}

export function renderReport(r: Results): string {
  const chart = (name: string, alt: string) => (r.charts.includes(name) ? `\n![${alt}](charts/${name})\n` : '');
  const armErr = Object.entries(r.armErrors).map(([a, e]) => `- **${ARM_LABELS[a as ArmName]}**: ${e}`).join('\n');
  const profTables = (p: ProfileSection) => [
    head(['area', 'self time %']),
    ...p.byArea.map((a) => row([a.area, fmt(a.pct, 1)])),
    '',
    head(['function', 'where', 'self time %']),
    ...p.lines.map((l) => row([`\`${l.fn}\``, `\`${l.where}\``, fmt(l.selfPct, 1)])),
    ...(p.steps?.length ? ['', head(['step (function, inclusive of what it calls)', '% of samples']), ...p.steps.map((x) => row([`\`${x.fn}\``, fmt(x.pct, 1)]))] : []),
  ].join('\n');
  const prof = [
    r.profile
      ? `### Gateway (capture on)\n\nWhy: ${r.profile.reason}. The capture-on gateway was restarted under \`--cpu-prof\`, warmed up, then saturated with autocannon (${fmtInt(r.profile.rps)} req/s under the profiler); start-up and warm-up samples are left out.\n\n${profTables(r.profile)}`
      : '_Gateway not profiled (no gateway target missed, or `--no-profile`)._',
    r.processorProfile
      ? `### Log processor (SQLite)\n\nWhy: ${r.processorProfile.reason}. A fresh processor ran under \`--cpu-prof\` while it drained a queued backlog (${fmtInt(r.processorProfile.rps)} logs/s under the profiler); start-up samples are left out.\n\n${profTables(r.processorProfile)}`
      : '',
  ].join('\n\n');
  return `# LLM Relay — benchmark report

Generated ${r.startedAt} by \`${r.command}\` in ${fmt(r.durationSec / 60, 1)} min. Everything ran on loopback on this one machine:
the mock provider (one process per mode), a bare Node proxy per mode, three LLM Relay gateways (capture on, capture off,
and capture on with \`GATEWAY_WORKERS=2\`, each with its own Redis prefix and config snapshot), the peer gateway \`@portkey-ai/gateway\`, and the load generator (this process). Arms were run
interleaved (round-robin, rotated each round) after a discarded warm-up. "Added" figures are the arm's percentile minus
the direct arm's percentile in the same scenario. Capture off means \`captureMaxBytes: 0\`: no body bytes are captured,
but the gateway still queues one (metadata) event per request.

## Targets

${targets(r)}

## Validity

${validity(r)}
${armErr ? `\nArms that failed (in full or in part):\n\n${armErr}\n` : ''}
## Added latency (non-streaming chat completion, ~600-byte answer)

Closed loop with undici (latency measured with \`performance.now()\`, µs resolution), the whole answer read.
${latencyTables(r)}
${chart('latency-c1.svg', 'latency at 1 concurrent')}${chart('latency-c10.svg', 'latency at 10 concurrent')}${chart('latency-cdf-c10.svg', 'latency CDF at 10 concurrent')}
## Throughput at saturation

autocannon, ${r.throughput ? 'instant mock' : ''}, non-streaming. CPU per request is the gateway process's user+system time divided by the requests it served.

${throughputTable(r)}
${chart('throughput.svg', 'throughput')}
## Streaming

Each SSE frame is timestamped when the read that completed it arrives; "coalesced" counts content frames that arrived in
the same read as the previous one (a sign of buffering). Every content chunk is counted against the 64 expected.
${streamTables(r)}
${chart('stream-ttft.svg', 'streaming added TTFT')}${chart('stream-gap.svg', 'streaming inter-chunk gap p99')}
## Memory

${memoryTable(r)}

## Cost of capture (on vs off)

${captureCost(r)}

## Logging pipeline (log processor → store)

Events: ${r.pipelineSource}. Each store gets its own processor process (defaults: concurrency 256, batch 100 / 50 ms) and
its own queue prefix. First the events are offered at the capture-on gateway's measured peak rate (lag phase), then N
events are queued at once (throughput phase: first add → last log inserted, read from the processor's \`/metrics\`). Lag
is the processor's own histogram (end of exchange → stored), reported as bucket upper bounds.

${pipelineTable(r)}
${chart('pipeline.svg', 'pipeline logs per second')}
## Profile

${prof}

## How to run

\`\`\`sh
npm run bench                          # everything, ~10 min on 2 cores; writes bench/REPORT.md and bench/charts/
npm run -w bench bench -- --quick      # ~3 min, fewer rounds and shorter runs
npm run -w bench bench -- --only latency,throughput --no-peer
npm run -w bench bench -- --help
\`\`\`
`;
}
