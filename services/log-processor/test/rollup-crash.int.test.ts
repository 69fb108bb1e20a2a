import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS, EXCHANGES_QUEUE } from '@llm-relay/contracts';
import { createRedis } from '@llm-relay/server-kit';
import { createStore, type Store } from '@llm-relay/store';
import { deleteRedisPrefix, freePort, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess } from '@llm-relay/testkit';
import { rollupsFor } from '../src/features/rollups/rollups.ts';
import { chatEvent } from './helpers/events.ts';
import { REDIS_URL } from './helpers/harness.ts';
import { storeTargets } from './helpers/stores.ts';

/**
 * The window this guards: a batch's logs are written and its roll-ups are not yet. The processor
 * SIGKILLs itself exactly there (PROCESSOR_TEST_SIGKILL_AFTER_LOG_INSERT, inert unless set), is restarted
 * without the hook, and every stored log must then be counted exactly once in the roll-ups.
 */
for (const target of storeTargets()) {
  describe(`a processor SIGKILLed between a batch's logs and its roll-ups (${target.name})`, () => {
    const prefix = uniquePrefix('lp-rollcrash');
    const redis = createRedis(REDIS_URL, 'client');
    const queue = new Queue(EXCHANGES_QUEUE, { connection: redis, prefix });
    const dir = tempDir('lp-rollcrash');
    let store: Store | null = null;
    let proc: RunningProcess | null = null;
    afterAll(async () => {
      if (proc) {
        proc.kill('SIGKILL');
        await proc.exited;
      }
      await queue.close();
      await deleteRedisPrefix(redis, prefix);
      await redis.quit();
      await store?.close();
      await target.cleanup();
      dir.remove();
    });

    const start = async (databaseUrl: string, hook: boolean) => {
      const port = await freePort();
      const env: Record<string, string> = {
        REDIS_URL,
        REDIS_PREFIX: prefix,
        DATABASE_URL: databaseUrl,
        PROCESSOR_PORT: String(port),
        PROCESSOR_BATCH_SIZE: '20',
        PROCESSOR_BATCH_WAIT_MS: '50',
        PROCESSOR_CONCURRENCY: '60',
        PROCESSOR_LOCK_MS: '1500',
        ROLLUP_RECOVERY_INTERVAL_SECONDS: '1',
        ROLLUP_RECOVERY_GRACE_SECONDS: '1',
      };
      if (hook) env.PROCESSOR_TEST_SIGKILL_AFTER_LOG_INSERT = '1';
      return startProcess({ name: 'log-processor', script: 'services/log-processor/src/index.ts', env, readyUrl: `http://127.0.0.1:${port}/healthz` });
    };
    const counted = async (from: number) => {
      const rows = await store!.queryRollups({ from: from - 60_000, to: from + 180_000, dim: 'key', value: 'rollcrash-key' });
      return rows.reduce((s, r) => s + r.count, 0);
    };

    it('counts every stored log exactly once after the restart', async () => {
      const databaseUrl = (await target.databaseUrl()) ?? `sqlite:${dir.path}/relay.db`;
      store = await createStore(databaseUrl);
      const at = Date.parse('2026-06-06T06:06:00Z');
      const events = Array.from({ length: 60 }, (_, i) => chatEvent({ at: at + i * 1000, keyId: 'rollcrash-key' }));

      proc = await start(databaseUrl, true);
      await queue.addBulk(events.map((e) => ({ name: EXCHANGE_JOB_NAME, data: e, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: e.id } })));
      expect(await proc.exited).toBeNull(); // killed by its own SIGKILL at the first batch
      proc = null;
      const storedAtKill = await store.countLogs({});
      if (store.info.features.atomicRollups === 'journal') {
        // the dangerous state really happened: logs stored, their roll-ups not
        expect(storedAtKill).toBeGreaterThan(0);
        expect(await counted(at)).toBe(0);
      } else {
        // one transaction: the killed batch left nothing
        expect(storedAtKill).toBe(0);
        expect(await counted(at)).toBe(0);
      }

      proc = await start(databaseUrl, false);
      await waitFor(async () => (await queue.getMetrics('completed', 0, 0)).meta.count === events.length, { timeoutMs: 90_000, what: 'every job completed' });
      expect(await store.countLogs({})).toBe(events.length);
      // the journaled batch is completed by the recovery pass once it is older than the grace period
      await waitFor(async () => (await counted(at)) === events.length, { timeoutMs: 30_000, what: 'roll-ups of every stored log' });
      // nothing is left to recover, so nothing can be counted again
      expect(await store.recoverRollups(rollupsFor, { olderThanMs: 0 })).toBe(0);
      const all = await store.queryRollups({ from: at - 60_000, to: at + 180_000, dim: 'all' });
      expect(all.reduce((s, r) => s + r.count, 0)).toBe(events.length);
      expect(await proc.stop()).toBe(0);
      proc = null;
    }, 150_000);
  });
}
