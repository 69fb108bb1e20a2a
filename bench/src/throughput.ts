import autocannon from 'autocannon';
import { chatBody } from './load.ts';
import type { Target } from './stack.ts';

export interface ThroughputResult {
  rps: number;
  total: number;
  non2xx: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

/** Saturation throughput with autocannon (leaner per request than an undici loop, so it loads the target harder). */
export async function saturate(t: Target, opts: { connections: number; durationSec: number }): Promise<ThroughputResult> {
  const r = await autocannon({
    url: `${t.origin}/v1/chat/completions`,
    method: 'POST',
    headers: { ...t.headers, 'content-type': 'application/json' },
    body: chatBody(t.model, false),
    connections: opts.connections,
    duration: opts.durationSec,
    pipelining: 1,
  });
  const total = r.requests.total;
  return { rps: r.requests.average, total, non2xx: r.non2xx, errors: r.errors + r.timeouts, p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
}
