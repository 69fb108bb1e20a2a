/**
 * How long after an exchange ends its log is announced on the live stream (the processor's share of the
 * "live log in the browser within 250 ms" budget). Events are queued at a steady rate with endedAt = now;
 * the lag of each is the live-stream entry's Redis timestamp minus endedAt.
 *   node services/log-processor/bench/live-lag.ts [rate/s] [seconds] [batch wait ms]
 */
import { EXCHANGES_QUEUE, redisKeys } from '@llm-relay/contracts';
import { createLogger, createRedis, exchangeBatchJobs, JsonTextQueue } from '@llm-relay/server-kit';
import { tempDir, uniquePrefix } from '@llm-relay/testkit';
import { readEnv } from '../src/env.ts';
import { startProcessor } from '../src/processor.ts';
import { chatEvent } from '../test/helpers/events.ts';
import { deleteKeys } from '../test/helpers/redis.ts';

const rate = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 10);
const waitMs = process.argv[4];
const REDIS_URL = 'redis://127.0.0.1:6379';
const prefix = uniquePrefix('lp-lag');
const dir = tempDir('lp-lag');
const redis = createRedis(REDIS_URL, 'client');
const reader = createRedis(REDIS_URL, 'client');
const queue = new JsonTextQueue(EXCHANGES_QUEUE, { connection: redis, prefix });
const processor = await startProcessor(readEnv({ REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: `sqlite:${dir.path}/lag.db`, ...(waitMs ? { PROCESSOR_BATCH_WAIT_MS: waitMs } : {}) }), createLogger('bench', 'warn'));

const endedAt = new Map<string, number>();
const lags: number[] = [];
const total = rate * seconds;
let lastId = '0';
const reading = (async () => {
  while (lags.length < total) {
    const res = await reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', redisKeys(prefix).liveStream, lastId);
    for (const [, entries] of res ?? []) {
      for (const [id, fields] of entries) {
        lastId = id;
        const log = JSON.parse(fields[1]!) as { id: string };
        lags.push(Number(id.split('-')[0]) - endedAt.get(log.id)!);
      }
    }
  }
})();

// the gateway enqueues in small batches every few ms; do the same
const tickMs = 10;
const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
const t0 = Date.now();
for (let sent = 0; sent < total; ) {
  const events = Array.from({ length: Math.min(perTick, total - sent) }, () => {
    const now = Date.now();
    const e = chatEvent({ at: now - 120, stream: true });
    endedAt.set(e.id, e.endedAt);
    return e;
  });
  await queue.addBulk(exchangeBatchJobs(events.map((e) => ({ id: e.id, line: JSON.stringify(e) }))));
  sent += events.length;
  const wait = t0 + (sent / rate) * 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await reading;
lags.sort((a, b) => a - b);
const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))]!;
console.log(`${total} logs at ${rate}/s (batch wait ${waitMs ?? 'default'} ms): live-stream lag after the exchange ended p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${lags.at(-1)} ms`);
await processor.close();
await queue.close();
await deleteKeys(redis, prefix);
await redis.quit();
await reader.quit();
dir.remove();
