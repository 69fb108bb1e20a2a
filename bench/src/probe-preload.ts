/**
 * Preloaded into the gateway and the bare proxy by `latency-ab.ts --probe DIR` (NODE_OPTIONS=--import): every 2 s
 * it appends one JSON line to DIR/<arm>.jsonl with the requests served, the event-loop delay, the GC pauses (count,
 * total, scavenge percentiles) and the per-request stages seen through diagnostics_channel, without touching the
 * gateway's code:
 *   pre  = request headers parsed (`http.server.request.start`) → upstream request created (`undici:request:create`)
 *   up   = upstream request created → upstream response headers (`undici:request:headers`)
 *   post = upstream response headers → the client's response finished (`http.server.response.finish`)
 * The stages pair the last event of each kind, so they are exact only with one request at a time (c=1).
 */
import dc from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHistogram, monitorEventLoopDelay, performance, PerformanceObserver, type RecordableHistogram } from 'node:perf_hooks';

const script = process.argv[1] ?? '';
const arm = script.includes('services/gateway/') ? `gateway-${process.env.GATEWAY_ID ?? ''}` : script.includes('bare-proxy') ? 'bare' : null;
const dir = process.env.LATENCY_PROBE_DIR;
if (arm && dir) {
  const out = join(dir, `${arm}.jsonl`);
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  const h: Record<'pre' | 'up' | 'post' | 'scavenge', RecordableHistogram> = { pre: createHistogram(), up: createHistogram(), post: createHistogram(), scavenge: createHistogram() };
  let gcMs = 0;
  let gcs = 0;
  let reqs = 0;
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  const rec = (x: RecordableHistogram, ms: number) => x.record(Math.max(1, Math.round(ms * 1000)));
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      // kind 1: scavenge (minor GC)
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === 1) rec(h.scavenge, e.duration);
      gcMs += e.duration;
      gcs++;
    }
  }).observe({ entryTypes: ['gc'] });
  dc.subscribe('http.server.request.start', () => {
    reqs++;
    t0 = performance.now();
  });
  dc.subscribe('undici:request:create', () => {
    t1 = performance.now();
    if (t0) rec(h.pre, t1 - t0);
  });
  dc.subscribe('undici:request:headers', () => {
    t2 = performance.now();
    if (t1) rec(h.up, t2 - t1);
  });
  dc.subscribe('http.server.response.finish', () => {
    if (t2) rec(h.post, performance.now() - t2);
  });
  const pcts = (x: { percentile(p: number): number; max: number }, div = 1) => ({ p50: x.percentile(50) / div, p99: x.percentile(99) / div, max: x.max / div });
  setInterval(() => {
    if (reqs > 0) {
      const line = { t: Date.now(), reqs, eldUs: pcts(eld, 1000), gcs, gcMs, scavengeUs: pcts(h.scavenge), preUs: pcts(h.pre), upUs: pcts(h.up), postUs: pcts(h.post) };
      appendFileSync(out, `${JSON.stringify(line)}\n`);
    }
    eld.reset();
    for (const x of Object.values(h)) x.reset();
    gcMs = 0;
    gcs = 0;
    reqs = 0;
  }, 2000).unref();
}
