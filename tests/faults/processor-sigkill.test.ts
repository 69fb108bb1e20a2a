/**
 * A processor is SIGKILLed with jobs in hand. To hold them for certain at the moment of the kill, the store's
 * write lock is held by another process (the processor waits on it with its jobs active); a second processor
 * is started, the first killed and the lock released together. Every job must be stored by the second, once,
 * and the time from the kill until the last of them is stored is the redelivery time (a lapsed lock found by
 * a stalled check: at most about 1.5 × PROCESSOR_LOCK_MS, plus the write).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, waitFor, type RunningProcess } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';
import { holdWriteLock, processorMetric, sqlitePath, system } from './processor-faults.ts';

let w: FaultWorld;
let second: RunningProcess | null = null;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'proc-kill', redisPort: 7403 });
}, 180_000);
afterAll(async () => {
  await second?.stop(15_000);
  await w?.close();
});

describe('fault: processor SIGKILL with jobs in hand', () => {
  it('another processor stores every held job, once, within seconds', async () => {
    const token = await w.stack.login();
    const lock = await holdWriteLock(sqlitePath(w));
    let released = false;
    try {
      const held = await w.chat(40, { concurrency: 4, streamEvery: 3, label: 'held' });
      expect(held.every((a) => a.status === 200)).toBe(true);
      // jobs are batches of exchanges: all of them held (none waiting), and all 40 exchanges not yet stored
      await waitFor(async () => {
        const sys = await system(w, token);
        return sys.queue.waiting === 0 && sys.queue.active > 0 && sys.gateways.reduce((n, g) => n + g.unstored, 0) === 40;
      }, { timeoutMs: 30_000, what: 'all 40 exchanges held by the first processor' });
      await waitFor(async () => (await processorMetric(w.stack.processorUrl, 'llmrelay_processor_store_unavailable')) === 1, { timeoutMs: 20_000, what: 'first processor waiting on the store' });
      const port = await freePort();
      second = await startProcess({
        name: 'processor-2',
        script: 'services/log-processor/src/index.ts',
        env: { ...w.stack.env, PROCESSOR_PORT: String(port), PROCESSOR_ID: 'processor-2' },
        readyUrl: `http://127.0.0.1:${port}/healthz`,
        readyTimeoutMs: 30_000,
      });
      const killedAt = Date.now();
      w.signal('processor', 'SIGKILL');
      await lock.release();
      released = true;
      await w.waitStored(held, 30_000);
      const redeliveryMs = Date.now() - killedAt;
      process.stdout.write(`\nredelivery after SIGKILL: the last held job was stored ${redeliveryMs} ms after the kill\n`);
      const row = await w.row('processor SIGKILLed holding 40 jobs; a second processor takes over', {
        note: `all stored ${(redeliveryMs / 1000).toFixed(1)} s after the kill (PROCESSOR_LOCK_MS 5000); 0 failed jobs`,
      });
      expect(row.lost).toBe(0);
      expect(row.duplicated).toBe(0);
      expect((await system(w, token)).queue.failed).toBe(0);
    } finally {
      if (!released) await lock.release();
    }
  });
});
