/**
 * Issue 14 item 1: Redis killed and restarted empty (no persistence) while 300 answered requests wait in
 * the queue for a paused processor. Redis is only a transport: each gateway keeps its events in its
 * journal until a processor acknowledges them as stored, sees that Redis lost its data (the epoch key
 * changed) and queues them again; the store's idempotent ids keep duplicates out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';

interface Readyz {
  journalUnqueued: number;
  journalWaiting: number;
  dropped: number;
}

let w: FaultWorld;
beforeAll(async () => {
  // no admin: nothing re-publishes the snapshot, the gateway keeps serving the one it holds
  w = await FaultWorld.start({ label: 'empty-restart', redisPort: 7302, parts: ['gateway', 'processor'] });
});
afterAll(() => w?.close());

const readyz = async (): Promise<Readyz> => (await fetch(`${w.stack.gatewayUrl}/readyz`)).json() as Promise<Readyz>;

describe('fault: Redis restarted empty with 300 events queued', () => {
  it('stores all 300 once the processor runs again', async () => {
    w.signal('processor', 'SIGSTOP');
    await w.chat(300, { concurrency: 8, streamEvery: 4, label: 'queued' });
    // all 300 in Redis's queue (and in the journal, waiting for their acknowledgement)
    await waitFor(async () => {
      const r = await readyz();
      return r.journalUnqueued === 0 && r.journalWaiting === 300;
    }, { what: '300 events queued' });

    await w.restartRedisEmpty();
    w.signal('processor', 'SIGCONT');

    const row = await w.row('Redis killed, restarted empty; 300 events were queued (processor stopped)', { timeoutMs: 60_000 });
    expect(w.failures).toEqual([]);
    expect(row.answered).toBe(300);
    expect(w.answers.every((a) => a.status === 200)).toBe(true);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
    // the acknowledgements reach the gateway: its journal is empty again
    await waitFor(async () => (await readyz()).journalWaiting === 0, { timeoutMs: 20_000, what: 'journal acknowledged' });
    const metrics = await (await fetch(`${w.stack.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/gateway_redis_data_loss_total 1\b/);
  });
});
