/**
 * Another process holds the SQLite store's write lock for 15 s while traffic flows. The processor must keep
 * answering /healthz (its writes wait on their own thread, not on its event loop), hold its jobs instead of
 * failing them (backpressure), and store everything by itself once the lock is released.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';
import { holdWriteLock, probeHealth, processorMetric, sqlitePath, system } from './processor-faults.ts';

const LOCK_MS = 15_000;
let w: FaultWorld;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'store-lock', redisPort: 7401 });
}, 180_000);
afterAll(() => w?.close());

describe('fault: store write lock held by another process', () => {
  it('the processor keeps answering, holds its jobs, and stores all of them after the release', async () => {
    const token = await w.stack.login();
    await w.chat(10, { concurrency: 2, label: 'before' });
    const lock = await holdWriteLock(sqlitePath(w));
    const lockedAt = Date.now();
    const probe = probeHealth(w.stack.processorUrl);
    try {
      await w.chat(30, { concurrency: 4, streamEvery: 3, label: 'during' });
      await waitFor(async () => (await processorMetric(w.stack.processorUrl, 'llmrelay_processor_store_unavailable')) === 1, { timeoutMs: 20_000, what: 'processor paused on the locked store' });
      await new Promise((r) => setTimeout(r, Math.max(0, LOCK_MS - (Date.now() - lockedAt))));
      const sys = await system(w, token);
      expect(sys.queue.failed).toBe(0);
      expect(sys.processors[0]?.storeUnavailableSince).toEqual(expect.any(Number));
    } finally {
      await lock.release();
    }
    const health = await probe.stop();
    const row = await w.row('store write lock held 15 s by another process', { note: `processor /healthz answered ${health.probes - health.missed}/${health.probes} probes (slowest ${health.maxMs} ms); 0 failed jobs` });
    expect(health.missed).toBe(0);
    expect(w.failures).toEqual([]);
    expect(row.answered).toBe(40);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
    const after = await system(w, token);
    expect(after.queue.failed).toBe(0);
    expect(await processorMetric(w.stack.processorUrl, 'llmrelay_processor_store_unavailable')).toBe(0);
  });
});
