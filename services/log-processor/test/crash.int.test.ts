import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS, EXCHANGES_QUEUE } from '@llm-relay/contracts';
import { createRedis } from '@llm-relay/server-kit';
import { createStore, type Store } from '@llm-relay/store';
import { deleteRedisPrefix, freePort, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess, type TempDir } from '@llm-relay/testkit';
import { chatEvent } from './helpers/events.ts';
import { REDIS_URL } from './helpers/harness.ts';

describe('a processor killed with SIGKILL mid-batch', () => {
  const prefix = uniquePrefix('lp-crash');
  const redis = createRedis(REDIS_URL, 'client');
  const queue = new Queue(EXCHANGES_QUEUE, { connection: redis, prefix });
  let dir: TempDir;
  let store: Store;
  let proc: RunningProcess | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir('lp-crash');
    env = {
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DATABASE_URL: `sqlite:${dir.path}/relay.db`,
      PROCESSOR_BATCH_SIZE: '50',
      PROCESSOR_CONCURRENCY: '120',
      PROCESSOR_LOCK_MS: '1500',
    };
    store = await createStore(env.DATABASE_URL!);
  });
  afterAll(async () => {
    await proc?.stop();
    await queue.close();
    await deleteRedisPrefix(redis, prefix);
    await redis.quit();
    await store?.close();
    dir?.remove();
  });

  const start = async (batchWaitMs: number) => {
    const port = await freePort();
    return startProcess({
      name: 'log-processor',
      script: 'services/log-processor/src/index.ts',
      env: { ...env, PROCESSOR_PORT: String(port), PROCESSOR_BATCH_WAIT_MS: String(batchWaitMs) },
      readyUrl: `http://127.0.0.1:${port}/healthz`,
    });
  };

  it('leaves exactly one log per event after a restart', async () => {
    const at = Date.parse('2026-05-05T05:05:00Z');
    const events = Array.from({ length: 330 }, (_, i) => chatEvent({ at: at + i, keyId: 'crash-key' }));
    // a batch that does not fill waits 10 s, so the kill lands while its jobs sit unstored
    proc = await start(10_000);
    await queue.addBulk(events.map((e) => ({ name: EXCHANGE_JOB_NAME, data: e, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: e.id } })));
    // full batches of 50 flush at once; the last 30 wait for the timer, unstored, when the kill comes
    await waitFor(async () => (await store.countLogs({})) >= 300, { timeoutMs: 30_000, what: 'the full batches' });
    proc.kill('SIGKILL');
    await proc.exited;
    expect(await store.countLogs({})).toBe(300);

    proc = await start(50);
    await waitFor(async () => (await queue.getMetrics('completed', 0, 0)).meta.count === events.length, { timeoutMs: 60_000, what: 'every job completed' });
    expect(await store.countLogs({})).toBe(events.length);
    for (const e of events) expect((await store.getLog(e.id))?.id).toBe(e.id);
    const rollups = await store.queryRollups({ from: at - 60_000, to: at + 120_000, dim: 'key', value: 'crash-key' });
    expect(rollups.reduce((s, r) => s + r.count, 0)).toBe(events.length);
    expect(await proc.stop()).toBe(0);
  });
});
