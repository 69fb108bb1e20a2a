/**
 * The processor outlives a Redis restart: a private redis-server (AOF on, so queued jobs survive) is killed
 * and started again under the running processor, which then stores what is queued after the restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS, EXCHANGES_QUEUE, type ExchangeEvent } from '@llm-relay/contracts';
import { createStore } from '@llm-relay/store';
import { freePort, OwnRedis, startProcess, tempDir, waitFor, type RunningProcess } from '@llm-relay/testkit';
import { chatEvent } from './helpers/events.ts';

const dir = tempDir('lp-outage');
const own = new OwnRedis('lp-redis');
let processor: RunningProcess | null = null;

afterAll(async () => {
  await processor?.stop();
  await own.remove();
  dir.remove();
});

describe('a Redis restart under a running processor', () => {
  it('keeps processing once Redis is back', async () => {
    await own.start();
    const redisUrl = own.url;
    const httpPort = await freePort();
    const databaseUrl = `sqlite:${dir.path}/relay.db`;
    processor = await startProcess({
      name: 'log-processor',
      script: 'services/log-processor/src/index.ts',
      env: { REDIS_URL: redisUrl, REDIS_PREFIX: 'lp-outage', DATABASE_URL: databaseUrl, PROCESSOR_PORT: String(httpPort) },
      readyUrl: `http://127.0.0.1:${httpPort}/healthz`,
    });
    const store = await createStore(databaseUrl);
    const enqueue = async (events: ExchangeEvent[]) => {
      const conn = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
      const queue = new Queue(EXCHANGES_QUEUE, { connection: conn, prefix: 'lp-outage' });
      await queue.addBulk(events.map((e) => ({ name: EXCHANGE_JOB_NAME, data: e, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: e.id } })));
      await queue.close();
      conn.disconnect();
    };
    try {
      const before = Array.from({ length: 10 }, () => chatEvent());
      await enqueue(before);
      await waitFor(async () => (await store.countLogs({})) === 10, { what: 'logs before the restart' });

      await own.kill();
      await own.start();

      const after = Array.from({ length: 10 }, () => chatEvent());
      await enqueue(after);
      await waitFor(async () => (await store.countLogs({})) === 20, { timeoutMs: 30_000, what: 'logs after the restart' });
      for (const e of after) expect(await store.getLog(e.id)).not.toBeNull();
      expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
    } finally {
      await store.close();
    }
    expect(await processor.stop(10_000)).toBe(0);
  });
});
