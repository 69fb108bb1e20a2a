import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS, EXCHANGES_QUEUE, SettingsSchema } from '@llm-relay/contracts';
import { createLogger, createRedis } from '@llm-relay/server-kit';
import { createStore } from '@llm-relay/store';
import { deleteRedisPrefix, freePort, startProcess, tempDir, uniquePrefix, waitFor } from '@llm-relay/testkit';
import { chatEvent } from './helpers/events.ts';
import { REDIS_URL, startHarness, type Harness } from './helpers/harness.ts';
import { buildLog } from '../src/features/logs/build-log.ts';
import { runRetentionOnce } from '../src/features/retention/retention.ts';

const DAY = 86_400_000;

describe('operations', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  it('the replay-failed CLI puts failed jobs back and they are stored', async () => {
    const ev = chatEvent();
    await h.add({ ...ev, route: 'no-such-route' }, ev.id);
    const job = await waitFor(async () => {
      const j = await h.queue.getJob(ev.id);
      return j?.failedReason ? j : null;
    });
    await job.updateData(ev);
    const cli = await startProcess({ name: 'cli', script: 'services/log-processor/src/cli.ts', args: ['replay-failed'], env: { REDIS_URL, REDIS_PREFIX: h.prefix } });
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toContain('replayed 1 failed job(s)');
    await waitFor(() => h.processor.store.getLog(ev.id), { what: 'replayed log' });
  });

  it('retention clears old bodies, deletes old logs, and runs on one replica at a time', async () => {
    const now = Date.now();
    const settings = SettingsSchema.parse({ retentionBodyDays: 30, retentionMetaDays: 90 });
    const opts = { settings, redactor: null, keepEmbeddingVectors: false };
    const ancient = buildLog(chatEvent({ at: now - 100 * DAY }), opts);
    const old = buildLog(chatEvent({ at: now - 40 * DAY }), opts);
    const fresh = buildLog(chatEvent({ at: now - DAY }), opts);
    await h.processor.store.insertLogs([ancient, old, fresh]);
    const deps = { store: h.processor.store, redis: h.redis, prefix: h.prefix, settings: () => settings, metrics: h.processor.metrics, log: createLogger('t', 'silent'), batchSize: 1 };
    const [a, b] = await Promise.all([runRetentionOnce(deps, now), runRetentionOnce(deps, now)]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    expect(await h.processor.store.getLog(ancient.id)).toBeNull();
    const o = await h.processor.store.getLog(old.id);
    expect(o?.bodiesExpired).toBe(true);
    expect(o?.requestPreview).toBe(old.requestPreview);
    expect((await h.processor.store.getLog(fresh.id))?.request.body).toEqual(fresh.request.body);
  });
});

describe('graceful shutdown', () => {
  const prefix = uniquePrefix('lp-stop');
  const redis = createRedis(REDIS_URL, 'client');
  const queue = new Queue(EXCHANGES_QUEUE, { connection: redis, prefix });
  const dir = tempDir('lp-stop');
  afterAll(async () => {
    await queue.close();
    await deleteRedisPrefix(redis, prefix);
    await redis.quit();
    dir.remove();
  });

  it('SIGTERM stops taking jobs, stores the pending batch, and exits 0', async () => {
    const port = await freePort();
    const databaseUrl = `sqlite:${dir.path}/relay.db`;
    const proc = await startProcess({
      name: 'log-processor',
      script: 'services/log-processor/src/index.ts',
      // a batch that never fills and a timer far away: only the shutdown flush can store these
      env: { REDIS_URL, REDIS_PREFIX: prefix, DATABASE_URL: databaseUrl, PROCESSOR_PORT: String(port), PROCESSOR_BATCH_SIZE: '500', PROCESSOR_BATCH_WAIT_MS: '10000' },
      readyUrl: `http://127.0.0.1:${port}/healthz`,
    });
    const events = Array.from({ length: 12 }, () => chatEvent());
    await queue.addBulk(events.map((e) => ({ name: EXCHANGE_JOB_NAME, data: e, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: e.id } })));
    await waitFor(async () => (await queue.getJobCounts('active')).active === events.length, { what: 'jobs held in the batch' });
    // without the shutdown flush the jobs would wait 10 s for the timer and be SIGKILLed at 5 s
    expect(await proc.stop(5_000)).toBe(0);
    const store = await createStore(databaseUrl);
    try {
      expect(await store.countLogs({})).toBe(events.length);
    } finally {
      await store.close();
    }
    // completed jobs are removed at once; the worker's metrics count them
    expect((await queue.getMetrics('completed', 0, 0)).meta.count).toBe(events.length);
  });
});
