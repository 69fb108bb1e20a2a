import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXCHANGES_QUEUE, type ExchangeEvent } from '@llm-relay/contracts';
import { createRedis, exchangeBatchJobs, JsonTextQueue } from '@llm-relay/server-kit';
import { freePort, startFerretDb, startProcess, uniquePrefix, type RunningFerretDb } from '@llm-relay/testkit';
import { copyEvent } from './events.ts';
import { rssMiB } from './procstat.ts';

export type StoreKind = 'sqlite' | 'ferretdb';

export interface PipelineResult {
  store: StoreKind;
  n: number;
  /** first add → last log inserted */
  seconds: number;
  logsPerSec: number;
  inserted: number;
  failedAttempts: number;
  lag?: { rate: number; seconds: number; offered: number; maxBacklog: number; drainAfterStopSec: number; lagP50Sec: number; lagP95Sec: number; lagP99Sec: number };
  rssPeakMiB: number;
  /** ms from the processor's spawn to the throughput phase (to cut start-up out of a profile) */
  throughputStartMs?: number;
  error?: string;
}

async function metric(origin: string, name: string): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** Percentile from a prometheus histogram's cumulative buckets (upper bound of the bucket it falls in). */
async function histogramPct(origin: string, name: string, p: number): Promise<number> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'))) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (!total) return Number.NaN;
  return buckets.find(([, c]) => c >= (p / 100) * total)?.[0] ?? Number.NaN;
}

async function waitInserted(origin: string, target: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await metric(origin, 'llmrelay_processor_logs_inserted_total');
    if (n >= target || Date.now() > deadline) return n;
    await sleep(50);
  }
}

/**
 * Push copies of recorded events through a real log processor into a real store:
 * (1) N events at once → logs per second; (2) events offered at the gateway's peak rate → backlog and lag.
 */
export async function pipelineBench(opts: { redisUrl: string; store: StoreKind; samples: ExchangeEvent[]; n: number; peakRate: number; lagSec: number; dir: string; cpuProfDir?: string }): Promise<PipelineResult> {
  const prefix = uniquePrefix(`bench-pipe-${opts.store}`);
  const res: PipelineResult = { store: opts.store, n: opts.n, seconds: Number.NaN, logsPerSec: Number.NaN, inserted: 0, failedAttempts: 0, rssPeakMiB: Number.NaN };
  const conn = createRedis(opts.redisUrl, 'producer');
  const queue = new JsonTextQueue(EXCHANGES_QUEUE, { connection: conn, prefix });
  let ferret: RunningFerretDb | undefined;
  let proc: Awaited<ReturnType<typeof startProcess>> | undefined;
  try {
    let databaseUrl = `sqlite:${join(opts.dir, `pipeline-${prefix}.db`)}`;
    if (opts.store === 'ferretdb') {
      ferret = await startFerretDb();
      databaseUrl = `${ferret.uri}benchpipe`;
    }
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const spawnedAt = Date.now();
    proc = await startProcess({
      name: `processor-${opts.store}`, script: 'services/log-processor/src/index.ts', readyUrl: `${origin}/healthz`, readyTimeoutMs: 60_000,
      env: { REDIS_URL: opts.redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, PROCESSOR_PORT: String(port), PROCESSOR_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...(opts.cpuProfDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${opts.cpuProfDir}` } : {}) },
    });
    const pid = proc.child.pid!;
    let peak = rssMiB(pid);
    const add = async (count: number) => {
      const now = Date.now();
      const events = Array.from({ length: count }, (_, i) => {
        const ev = copyEvent(opts.samples[i % opts.samples.length]!, now);
        return { id: ev.id, line: JSON.stringify(ev) };
      });
      // as a gateway queues them: batch jobs of at most one enqueue batch (ENQUEUE_BATCH_SIZE, 200) each
      const jobs = [];
      for (let b = 0; b < events.length; b += 200) jobs.push(...exchangeBatchJobs(events.slice(b, b + 200)));
      await queue.addBulk(jobs);
    };

    // (1) lag at the gateway's peak rate, offered in 20 ms slices; first, so the processor's lag histogram holds only this phase
    if (opts.lagSec > 0 && opts.peakRate > 0) {
      let offered = 0;
      let maxBacklog = 0;
      const start = performance.now();
      let sampledAt = start;
      while (performance.now() - start < opts.lagSec * 1000) {
        const due = Math.floor(((performance.now() - start) / 1000) * opts.peakRate);
        if (due > offered) {
          const k = Math.min(due - offered, 2000);
          await add(k);
          offered += k;
        }
        if (performance.now() - sampledAt >= 250) {
          sampledAt = performance.now();
          const done = await metric(origin, 'llmrelay_processor_logs_inserted_total');
          maxBacklog = Math.max(maxBacklog, offered - done);
          peak = Math.max(peak, rssMiB(pid));
        }
        await sleep(10);
      }
      const stopAt = performance.now();
      const fin = await waitInserted(origin, offered, 300_000);
      const drain = (performance.now() - stopAt) / 1000;
      res.lag = {
        rate: opts.peakRate, seconds: opts.lagSec, offered, maxBacklog, drainAfterStopSec: fin >= offered ? drain : Number.NaN,
        lagP50Sec: await histogramPct(origin, 'llmrelay_processor_queue_lag_seconds', 50),
        lagP95Sec: await histogramPct(origin, 'llmrelay_processor_queue_lag_seconds', 95),
        lagP99Sec: await histogramPct(origin, 'llmrelay_processor_queue_lag_seconds', 99),
      };
    }
    // (2) throughput: N events queued as fast as Redis takes them
    const before = await metric(origin, 'llmrelay_processor_logs_inserted_total');
    res.throughputStartMs = Date.now() - spawnedAt;
    const t0 = performance.now();
    for (let left = opts.n; left > 0; left -= 500) await add(Math.min(500, left));
    const inserted = (await waitInserted(origin, before + opts.n, 300_000)) - before;
    res.seconds = (performance.now() - t0) / 1000;
    res.inserted = inserted;
    res.logsPerSec = inserted / res.seconds;
    peak = Math.max(peak, rssMiB(pid));

    res.failedAttempts = await metric(origin, 'llmrelay_processor_failed_total');
    res.rssPeakMiB = peak;
  } catch (err) {
    res.error = err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err);
  } finally {
    await proc?.stop().catch(() => null);
    await ferret?.stop().catch(() => null);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    let cursor = '0';
    do {
      const [next, keys] = await conn.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await conn.unlink(...keys);
    } while (cursor !== '0');
    conn.disconnect();
  }
  return res;
}
