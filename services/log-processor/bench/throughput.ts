/**
 * Processor throughput: N recorded-shape exchange events (streamed chat completions, ~1 KiB prompt,
 * ~20 chunks) are queued first, then one processor drains them into each store; reports logs per second.
 *   node services/log-processor/bench/throughput.ts [N] [sqlite|ferretdb|both]
 */
import { EXCHANGES_QUEUE } from '@llm-relay/contracts';
import { createLogger, createRedis, exchangeBatchJobs, JsonTextQueue } from '@llm-relay/server-kit';
import { startFerretDb, tempDir, uniquePrefix } from '@llm-relay/testkit';
import { readEnv } from '../src/env.ts';
import { startProcessor } from '../src/processor.ts';
import { chatEvent } from '../test/helpers/events.ts';
import { deleteKeys } from '../test/helpers/redis.ts';

const N = Number(process.argv[2] ?? 5000);
const which = process.argv[3] ?? 'both';
const REDIS_URL = 'redis://127.0.0.1:6379';

async function run(name: string, databaseUrl: string, env: Record<string, string> = {}): Promise<void> {
  const prefix = uniquePrefix('lp-bench');
  const redis = createRedis(REDIS_URL, 'client');
  const queue = new JsonTextQueue(EXCHANGES_QUEUE, { connection: redis, prefix });
  const prompt = 'Summarise the following text. '.repeat(35);
  const answer = 'Here is a short summary of what the text says, in two sentences. '.repeat(2);
  for (let i = 0; i < N; i += 1000) {
    const events = Array.from({ length: Math.min(1000, N - i) }, (_, j) => chatEvent({ at: Date.now() - (i + j), stream: true, prompt, answer, keyId: `k${j % 10}` }));
    // as a gateway queues them: batch jobs of the events one 20 ms batch holds at ~3,500 req/s
    for (let b = 0; b < events.length; b += 70) await queue.addBulk(exchangeBatchJobs(events.slice(b, b + 70).map((e) => ({ id: e.id, line: JSON.stringify(e) }))));
  }
  const processor = await startProcessor(readEnv({ REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, ...env }), createLogger('bench', 'warn'));
  const t0 = performance.now();
  for (;;) {
    // every event stored (jobs are batches; the processor counts events)
    const { failed } = await queue.getJobCounts('failed');
    if (processor.ingest.counts.processed + (failed ?? 0) >= N) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const stored = await processor.store.countLogs({});
  const failed = (await queue.getJobCounts('failed')).failed;
  const batch = await processor.metrics.batchSize.get();
  const sum = batch.values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
  const count = batch.values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 1;
  console.log(`${name}: ${N} events -> ${stored} logs (${failed} failed) in ${seconds.toFixed(2)} s = ${Math.round(stored / seconds)} logs/s, mean batch ${(sum / count).toFixed(1)}`);
  await processor.close();
  await queue.close();
  await deleteKeys(redis, prefix);
  await redis.quit();
}

if (which === 'sqlite' || which === 'both') {
  const dir = tempDir('lp-bench');
  await run('sqlite', `sqlite:${dir.path}/bench.db`);
  dir.remove();
}
if (which === 'ferretdb' || which === 'both') {
  const ferret = await startFerretDb();
  try {
    await run('ferretdb (mongodb adapter)', `${ferret.uri}bench`);
  } finally {
    await ferret.stop();
  }
}
