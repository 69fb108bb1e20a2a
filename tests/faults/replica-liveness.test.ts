/**
 * Replicas on admin's system page: a graceful stop removes a processor or gateway at once; a SIGKILLed
 * processor stays listed but shows as stale once it has been silent for more than two heartbeats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';
import { system } from './processor-faults.ts';

const HEARTBEAT_MS = 1000;
let w: FaultWorld;
let token: string;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'liveness', redisPort: 7404, env: { HEARTBEAT_MS: String(HEARTBEAT_MS) } });
  token = await w.stack.login();
}, 180_000);
afterAll(() => w?.close());

describe('fault: replicas stopping and dying', () => {
  it('a processor stopped with SIGTERM is gone from /admin/system at once', async () => {
    const answers = await w.chat(10, { concurrency: 2, label: 'graceful' });
    await waitFor(async () => (await system(w, token)).processors.length === 1, { what: 'processor listed' });
    expect((await system(w, token)).processors[0]!.stale).toBe(false);
    await w.stack.stopPart('processor');
    const after = await system(w, token);
    expect(after.processors).toEqual([]);
    await w.stack.startPart('processor');
    const row = await w.row('processor stopped with SIGTERM, then started again', { answers, note: 'gone from /admin/system as soon as it exited' });
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
  });

  it('a SIGKILLed processor shows as stale after two missed heartbeats', async () => {
    const answers = await w.chat(10, { concurrency: 2, label: 'killed' });
    await w.waitStored(answers);
    await waitFor(async () => (await system(w, token)).processors.some((p) => !p.stale), { what: 'live processor listed' });
    const killedAt = Date.now();
    w.signal('processor', 'SIGKILL');
    await w.stack.process('processor')!.exited;
    const stale = await waitFor(
      async () => {
        const p = (await system(w, token)).processors[0];
        return p?.stale ? p : null;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: 'killed processor shown stale' },
    );
    const staleAfterMs = Date.now() - killedAt;
    // not before two beats of silence (it beat at most one interval before the kill)
    expect(Date.now() - stale.lastSeen!).toBeGreaterThan(2 * HEARTBEAT_MS);
    await w.stack.stopPart('processor');
    await w.stack.startPart('processor');
    const row = await w.row('processor SIGKILLed: listed as stale', { answers, note: `stale ${staleAfterMs} ms after the kill (heartbeat ${HEARTBEAT_MS} ms)` });
    expect(row.lost).toBe(0);
  });

  it('a gateway stopped with SIGTERM is gone from /admin/system at once', async () => {
    await waitFor(async () => (await system(w, token)).gateways.length === 1, { what: 'gateway listed' });
    await w.stack.stopPart('gateway');
    expect((await system(w, token)).gateways).toEqual([]);
    await w.stack.startPart('gateway');
  });
});
