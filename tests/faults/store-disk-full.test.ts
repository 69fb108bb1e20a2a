/**
 * The store's disk is full for the processor: its file-size limit (RLIMIT_FSIZE, set on the running process
 * with prlimit) makes every SQLite write fail the way a full disk does, for 10 s, while traffic flows. Jobs
 * must wait (none failed, none dropped), and be stored by themselves once writes succeed again.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';
import { processorMetric, system } from './processor-faults.ts';

const FULL_MS = 10_000;
let w: FaultWorld;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'disk-full', redisPort: 7402 });
}, 180_000);
afterAll(() => w?.close());

/** soft limit in bytes (the hard limit stays unlimited, so it can be raised again without privileges) */
function fileSizeLimit(pid: number, soft: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(pid), `--fsize=${soft}:unlimited`]);
}

describe('fault: store disk full', () => {
  it('jobs wait while writes fail, none fails, and all are stored when space returns', async () => {
    const token = await w.stack.login();
    await w.chat(10, { concurrency: 2, label: 'before' });
    await w.waitStored();
    const pid = w.stack.process('processor')!.child.pid!;
    fileSizeLimit(pid, 1024);
    const fullAt = Date.now();
    try {
      await w.chat(30, { concurrency: 4, streamEvery: 3, label: 'during' });
      await waitFor(async () => (await processorMetric(w.stack.processorUrl, 'llmrelay_processor_store_unavailable')) === 1, { timeoutMs: 20_000, what: 'processor paused on the full store' });
      await new Promise((r) => setTimeout(r, Math.max(0, FULL_MS - (Date.now() - fullAt))));
      const sys = await system(w, token);
      expect(sys.queue.failed).toBe(0);
      // no job attempt failed either (a failed attempt would count here even if BullMQ retried it)
      expect(sys.processors[0]).toMatchObject({ failed: 0, storeUnavailableSince: expect.any(Number) });
    } finally {
      fileSizeLimit(pid, 'unlimited');
    }
    const row = await w.row('store disk full for 10 s (writes fail with an I/O error)', { note: '0 failed jobs; stored by itself after space returned' });
    expect(w.failures).toEqual([]);
    expect(row.answered).toBe(40);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
    expect((await system(w, token)).queue.failed).toBe(0);
    expect(await processorMetric(w.stack.processorUrl, 'llmrelay_processor_store_unavailable')).toBe(0);
  });
});
