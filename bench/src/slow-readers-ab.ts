// The bench's slow-reader scenario alone, against a capture-on gateway started fresh for each round, and
// optionally against the gateway of another checkout (--baseline DIR) in alternating rounds, so both see
// the same machine load: a paired before/after of the gateway's memory under 1,000 slow readers.
// usage: node src/slow-readers-ab.ts [--rounds 2] [--streams 1000] [--chunks 3000] [--hold 10]
//        [--baseline /path/to/other/checkout] [--env KEY=VALUE ...] [--base-env KEY=VALUE ...] [--port 0]
//        [--memlog DIR] [--heap-at-peak DIR]
// A Redis of its own (no persistence; --redis-port, default a free port), one streaming mock. After each
// round it waits until every request's event is in the queue (capture complete: one event per request)
// and reports how many carry a truncated response body.
// --memlog DIR preloads a module that writes the gateway's process.memoryUsage() every 250 ms to DIR;
// --heap-at-peak DIR writes a heap snapshot (SIGUSR2) as the clients close, the moment of the peak.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { EXCHANGES_QUEUE } from '@llm-relay/contracts';
import { createRedis, eventsOfJob, generateRelayKey, publishSnapshot } from '@llm-relay/server-kit';
import { OwnRedis, REPO_ROOT, freePort, startProcess, tempDir, waitFor, type RunningProcess } from '@llm-relay/testkit';
import { singleMockSnapshot } from './stack.ts';
import { slowReaders } from './slow-readers.ts';

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    streams: { type: 'string', default: '1000' },
    chunks: { type: 'string', default: '3000' },
    hold: { type: 'string', default: '10' },
    /** another checkout to compare with (repeatable; each is an arm named after its directory) */
    baseline: { type: 'string', multiple: true, default: [] },
    env: { type: 'string', multiple: true, default: [] },
    'base-env': { type: 'string', multiple: true, default: [] },
    'redis-port': { type: 'string' },
    port: { type: 'string' },
    memlog: { type: 'string' },
    'heap-at-peak': { type: 'string' },
    /** ms after the clients close to take the heap snapshot */
    'heap-delay': { type: 'string', default: '0' },
  },
});
const kv = (list: string[]) => Object.fromEntries(list.map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
const STREAMS = Number(flags.streams);
const log = (msg: string) => console.log(`[slow-ab ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const tmp = tempDir('llm-relay-slow-ab');
const started: RunningProcess[] = [];
const basePort = flags.port ? Number(flags.port) : 0;
const port = async (i: number) => (basePort ? basePort + i : freePort());
const ownRedis = new OwnRedis('llm-relay-slow-ab-redis', { persistent: false, port: flags['redis-port'] ? Number(flags['redis-port']) : undefined });
await ownRedis.start();
const redisUrl = ownRedis.url;
const redis = createRedis(redisUrl, 'client');
let memlogModule: string | undefined;
if (flags.memlog) {
  mkdirSync(flags.memlog, { recursive: true });
  memlogModule = join(tmp.path, 'memlog.mjs');
  writeFileSync(memlogModule, [
    "import { appendFileSync } from 'node:fs';",
    "import { writeHeapSnapshot } from 'node:v8';",
    'const file = process.env.PERFMEM_MEMLOG;',
    // PERFMEM_HEAP_AT_MIB: one heap snapshot (in-process, it pauses the gateway) the first time RSS passes it
    'let heapAt = Number(process.env.PERFMEM_HEAP_AT_MIB ?? 0) * 1048576;',
    'const t = setInterval(() => { const m = process.memoryUsage(); appendFileSync(file, `${Date.now()} ${m.rss} ${m.heapUsed} ${m.heapTotal} ${m.external} ${m.arrayBuffers}\\n`); if (heapAt && m.rss > heapAt) { heapAt = 0; appendFileSync(file, `# snapshot ${writeHeapSnapshot(file + \'.heapsnapshot\')}\\n`); } }, 250);',
    't.unref();',
  ].join('\n'));
}
try {
  const mockPort = await port(0);
  started.push(await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(mockPort), '--mode', 'stream'], readyUrl: `http://127.0.0.1:${mockPort}/healthz` }));
  const key = generateRelayKey();
  const arms = [{ name: 'this', root: REPO_ROOT, env: kv(flags.env) }, ...flags.baseline.map((root) => ({ name: basename(resolve(root)), root, env: kv(flags['base-env']) }))];
  const rows: string[] = [];
  for (let round = 0; round < Number(flags.rounds); round++) {
    // alternate which arm goes first
    const order = round % 2 === 0 ? arms : [...arms].reverse();
    // (with three arms the middle one stays in the middle)
    for (const arm of order) {
      const prefix = `perfmem-${arm.name}-${round}-${process.pid}`;
      await publishSnapshot(redis, prefix, singleMockSnapshot(`http://127.0.0.1:${mockPort}`, 'bench-stream', key));
      const gwPort = await port(1);
      const origin = `http://127.0.0.1:${gwPort}`;
      const tag = `${arm.name}-r${round}`;
      const nodeOptions = [
        ...(memlogModule ? [`--import=${memlogModule}`] : []),
        ...(flags['heap-at-peak'] ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${flags['heap-at-peak']}`] : []),
      ].join(' ');
      const gw = await startProcess({
        name: `gateway-${arm.name}`, script: join(resolve(arm.root), 'services/gateway/src/index.ts'), readyUrl: `${origin}/healthz`, readyTimeoutMs: 60_000,
        env: {
          GATEWAY_PORT: String(gwPort), GATEWAY_HOST: '127.0.0.1', GATEWAY_ID: `gw-${arm.name}`, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, JOURNAL_DIR: join(tmp.path, `journal-${tag}`), LOG_LEVEL: 'warn',
          ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
          ...(memlogModule ? { PERFMEM_MEMLOG: join(flags.memlog!, `${tag}.log`) } : {}),
          ...arm.env,
        },
      });
      try {
        await sleep(1000);
        const pid = gw.child.pid!;
        const res = await slowReaders({ origin, headers: { authorization: `Bearer ${key.secret}` }, model: 'bench-stream' }, pid, {
          streams: STREAMS, chunks: Number(flags.chunks), holdSec: Number(flags.hold), answerTimeoutSec: 60,
          ...(flags['heap-at-peak'] ? { beforeClose: () => void setTimeout(() => process.kill(pid, 'SIGUSR2'), Number(flags['heap-delay'])) } : {}),
        });
        // capture complete: every request's event reaches the queue
        const qconn = createRedis(redisUrl, 'client');
        const queue = new Queue(EXCHANGES_QUEUE, { connection: qconn, prefix });
        // jobs are batches of events: count the events they carry
        type Captured = { response: { body: { truncated: boolean; text?: string } } };
        const queuedEvents = async () => {
          const events: Captured[] = [];
          const jobs = await queue.getWaitingCount();
          for (let at = 0; at < jobs; at += 100) for (const job of await queue.getWaiting(at, at + 99)) events.push(...(eventsOfJob(job) as Captured[]));
          return events;
        };
        let events: Captured[] = [];
        await waitFor(async () => {
          events = await queuedEvents();
          return events.length >= STREAMS ? true : null;
        }, { timeoutMs: 60_000, what: `${STREAMS} events queued` }).catch(() => undefined);
        const queued = events.length;
        let truncated = 0;
        let capturedMiB = 0;
        for (const ev of events) {
          if (ev.response.body.truncated) truncated++;
          capturedMiB += (ev.response.body.text?.length ?? 0) / 2 ** 20;
        }
        await queue.close();
        qconn.disconnect();
        // how the events left: batches queued directly or journaled (then replayed), and budget cuts
        const metrics = await fetch(`${origin}/metrics`).then((r) => r.text()).catch(() => '');
        const counters = metrics.split('\n').filter((l) => /^gateway_(enqueue_batches_total|replayed_events_total|capture_budget_truncated_total|dropped_events_total)/.test(l)).map((l) => l.replace(/^gateway_/, '')).join(', ');
        const row = `${tag}: answered ${res.answered}/${res.streams} in ${res.answerSec.toFixed(1)} s; RSS ${res.rssBeforeMiB.toFixed(0)} → peak ${res.rssPeakMiB.toFixed(0)} (+${(res.rssPeakMiB - res.rssBeforeMiB).toFixed(0)} MiB), 5 s after close ${res.rssAfterMiB.toFixed(0)}; events queued ${queued}/${STREAMS}, truncated ${truncated}, captured ${capturedMiB.toFixed(0)} MiB; ${counters}`;
        log(row);
        rows.push(row);
      } finally {
        await gw.stop(20_000);
        await redis.flushdb();
      }
    }
  }
  console.log(`\n${rows.join('\n')}`);
} finally {
  await Promise.all(started.map((p) => p.stop().catch(() => null)));
  redis.disconnect();
  await ownRedis.remove();
  tmp.remove();
}
