import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { chatBody } from './load.ts';
import type { Target } from './stack.ts';

export interface StreamResult {
  /** request start → first content frame, per stream (ms) */
  ttftMs: number[];
  /** time between consecutive content frames, every gap of every stream (ms) */
  gapMs: number[];
  /** request start → [DONE] */
  totalMs: number[];
  streams: number;
  /** content frames seen / expected (every chunk counted) */
  contentFrames: number;
  expectedFrames: number;
  /** frames that arrived in the same read as the previous one (a sign of buffering) */
  coalesced: number;
  errors: number;
  errorSamples: string[];
}

export function emptyStreamResult(): StreamResult {
  return { ttftMs: [], gapMs: [], totalMs: [], streams: 0, contentFrames: 0, expectedFrames: 0, coalesced: 0, errors: 0, errorSamples: [] };
}

/** One streamed chat completion; each SSE frame is timestamped when the read that completed it arrived. */
async function oneStream(pool: Pool, t: Target, expected: number, out: StreamResult): Promise<void> {
  const t0 = performance.now();
  const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { ...t.headers, 'content-type': 'application/json' }, body: chatBody(t.model, true) });
  if (r.statusCode !== 200) {
    const text = await r.body.text();
    throw new Error(`HTTP ${r.statusCode}: ${text.slice(0, 200)}`);
  }
  let buf = '';
  let last = -1;
  let frames = 0;
  let done = false;
  for await (const chunk of r.body) {
    const now = performance.now();
    buf += chunk.toString();
    let idx: number;
    let inThisRead = 0;
    while ((idx = buf.indexOf('\n\n')) >= 0) {
      const frame = buf.slice(0, idx);
      buf = buf.slice(idx + 2);
      if (frame.includes('[DONE]')) done = true;
      if (!frame.includes('"delta":{"content":"')) continue;
      frames++;
      if (last < 0) out.ttftMs.push(now - t0);
      else out.gapMs.push(now - last);
      if (inThisRead++ > 0) out.coalesced++;
      last = now;
    }
  }
  if (!done) throw new Error('stream ended without [DONE]');
  out.totalMs.push(performance.now() - t0);
  out.contentFrames += frames;
  out.expectedFrames += expected;
  out.streams++;
}

/** `concurrency` streams at a time until `total` streams have run. */
export async function streamLoad(t: Target, opts: { concurrency: number; total: number; expectedChunks: number; staggerMs?: number }, out: StreamResult = emptyStreamResult()): Promise<StreamResult> {
  const pool = new Pool(t.origin, { connections: opts.concurrency, pipelining: 1 });
  let left = opts.total;
  // staggered starts spread the streams like independent clients; without, all start (and stay) in lockstep
  const worker = async (k: number) => {
    if (opts.staggerMs) await new Promise((r) => setTimeout(r, k * opts.staggerMs!));
    while (left > 0) {
      left--;
      try {
        await oneStream(pool, t, opts.expectedChunks, out);
      } catch (err) {
        out.errors++;
        if (out.errorSamples.length < 3) out.errorSamples.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, k) => worker(k)));
  await pool.close();
  return out;
}
