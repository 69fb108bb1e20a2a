import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { Target } from './stack.ts';

export interface LoopResult {
  /** latency of each successful request, milliseconds */
  latMs: number[];
  ok: number;
  errors: number;
  statuses: Record<string, number>;
  elapsedMs: number;
}

export function chatBody(model: string, stream: boolean): string {
  const body: Record<string, unknown> = { model, messages: [{ role: 'user', content: 'Hello from the benchmark! Please answer briefly.' }] };
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  return JSON.stringify(body);
}

/**
 * A closed loop: `concurrency` workers, each sending the next request when the previous answer has been
 * read to the end. Latency is measured with performance.now() (µs resolution — autocannon rounds to
 * whole milliseconds, too coarse for a 0.5 ms budget).
 */
export async function closedLoop(t: Target, opts: { concurrency: number; durationMs: number; stream?: boolean }): Promise<LoopResult> {
  const pool = new Pool(t.origin, { connections: opts.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const body = chatBody(t.model, opts.stream ?? false);
  const headers = { ...t.headers, 'content-type': 'application/json' };
  const res: LoopResult = { latMs: [], ok: 0, errors: 0, statuses: {}, elapsedMs: 0 };
  const start = performance.now();
  const deadline = start + opts.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body });
        for await (const _ of r.body) {
          // read to the end: the latency includes the whole answer
        }
        const t1 = performance.now();
        res.statuses[r.statusCode] = (res.statuses[r.statusCode] ?? 0) + 1;
        if (r.statusCode === 200) {
          res.ok++;
          res.latMs.push(t1 - t0);
        } else res.errors++;
      } catch (err) {
        res.errors++;
        const k = (err as { code?: string }).code ?? 'error';
        res.statuses[k] = (res.statuses[k] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  res.elapsedMs = performance.now() - start;
  await pool.close();
  return res;
}
