/**
 * The MongoDB store goes away under traffic: the processor writes to FerretDB (the MongoDB-wire server,
 * on its SQLite backend) through DATABASE_URL=mongodb://…, and FerretDB is SIGKILLed for 10 s and started
 * again on the same port and data, then frozen (SIGSTOP) for 10 s and thawed. Jobs must wait instead of
 * failing (the processor pauses consumption while the store refuses writes), and every answered request must
 * be stored exactly once when the store is back — its roll-ups too, counted once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, startFerretDb, waitFor, type RunningFerretDb, type TempDir } from '@llm-relay/testkit';
import type { SystemInfo } from '@llm-relay/contracts';
import { FaultWorld } from './harness.ts';
import { processorMetric, system } from './processor-faults.ts';

const DOWN_MS = 10_000;
const FERRET_PORT = 7501;
let data: TempDir;
let ferret: RunningFerretDb;
let w: FaultWorld;

beforeAll(async () => {
  data = tempDir('faults-mongo-down');
  ferret = await startFerretDb({ port: FERRET_PORT, dataDir: data.path });
  w = await FaultWorld.start({
    label: 'mongo-down',
    redisPort: 7502,
    databaseUrl: () => `${ferret.uri}relay`,
    // a batch whose reply the killed server never sent is finished by recovery; seconds here, not minutes
    env: { ROLLUP_RECOVERY_INTERVAL_SECONDS: '2', ROLLUP_RECOVERY_GRACE_SECONDS: '5', HEARTBEAT_MS: '1000' },
  });
}, 180_000);
afterAll(async () => {
  await w?.close();
  await ferret?.stop();
  data?.remove();
});

const unavailable = () => processorMetric(w.stack.processorUrl, 'llmrelay_processor_store_unavailable');

/** Requests counted by the stored roll-ups (dim "all"): one per stored log if each batch is counted once. */
async function rolledUp(): Promise<number> {
  const store = await w.openStore();
  const rows = await store.queryRollups({ from: Date.now() - 3_600_000, to: Date.now() + 60_000, dim: 'all' });
  return rows.reduce((n, r) => n + r.count, 0);
}

describe('fault: the MongoDB store (FerretDB) goes down', () => {
  it('SIGKILL for 10 s: jobs wait (consumption paused, none failed), and all are stored once after the restart', async () => {
    const token = await w.stack.login();
    await w.chat(10, { concurrency: 2, label: 'before' });
    await w.waitStored();
    // the dashboard was open before the outage (admin authorises its reads with the user it last read)
    await system(w, token);
    await ferret.kill();
    const downAt = Date.now();
    let sys: SystemInfo | undefined;
    try {
      await w.chat(30, { concurrency: 4, streamEvery: 3, label: 'during' });
      await waitFor(async () => (await unavailable()) === 1, { timeoutMs: 30_000, what: 'processor paused on the unreachable store' });
      // consumption is paused: what arrives now stays waiting in the queue, nothing is taken and failed
      const processedBefore = (await system(w, token)).processors[0]!.processed;
      const late = await w.chat(10, { concurrency: 2, label: 'paused' });
      expect(late.every((a) => a.status === 200)).toBe(true);
      await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
      // nothing of the outage is stored: the gateways count all 40 exchanges as unstored (from their heartbeats),
      // and their jobs are still in the queue, waiting or held (jobs are batches of exchanges, and a fetch already
      // under way when the worker paused may still take the late ones' only batch, and hold it)
      const unstored = (x: SystemInfo) => x.gateways.reduce((n, g) => n + g.unstored, 0);
      sys = await waitFor(async () => {
        const x = await system(w, token);
        return unstored(x) >= 40 ? x : null;
      }, { timeoutMs: 15_000, what: 'the 40 exchanges of the outage counted as not yet stored' });
      expect(unstored(sys)).toBe(40);
      expect(sys.queue.waiting + sys.queue.active).toBeGreaterThanOrEqual(1);
      expect(sys.queue.failed).toBe(0);
      expect(sys.processors[0]).toMatchObject({ failed: 0, processed: processedBefore, storeUnavailableSince: expect.any(Number) });
    } finally {
      ferret = await startFerretDb({ port: FERRET_PORT, dataDir: data.path });
    }
    const restartedAt = Date.now();
    await w.waitStored(w.answers, 60_000);
    const storedAfterMs = Date.now() - restartedAt;
    const row = await w.row('MongoDB store (FerretDB) SIGKILLed for 10 s, restarted on its data', {
      note: `0 failed jobs; ${sys ? sys.gateways.reduce((n, g) => n + g.unstored, 0) : '?'} exchanges waited, ${sys?.queue.waiting} jobs in the queue (consumption paused); all stored ${(storedAfterMs / 1000).toFixed(1)} s after the restart`,
    });
    expect(w.failures).toEqual([]);
    expect(row.answered).toBe(50);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
    expect((await system(w, token)).queue.failed).toBe(0);
    await waitFor(async () => (await unavailable()) === 0, { timeoutMs: 30_000, what: 'processor resumed' });
    // roll-ups (the dashboard's numbers) count each stored log once, also for a batch cut by the kill
    await waitFor(async () => (await rolledUp()) === row.stored || undefined, { timeoutMs: 30_000, what: 'roll-ups equal to the stored logs' });
  });

  it('SIGSTOP for 10 s: writes wait for the frozen server, and all are stored once after SIGCONT', async () => {
    const token = await w.stack.login();
    const answeredBefore = w.answers.length;
    let systemMs: number;
    await system(w, token);
    ferret.signal('SIGSTOP');
    try {
      await w.chat(30, { concurrency: 4, streamEvery: 3, label: 'frozen' });
      await new Promise((r) => setTimeout(r, DOWN_MS));
      const t0 = Date.now();
      const sys = await system(w, token);
      expect(sys.queue.failed).toBe(0);
      expect(sys.processors[0]?.failed).toBe(0);
      systemMs = Date.now() - t0;
    } finally {
      ferret.signal('SIGCONT');
    }
    const thawedAt = Date.now();
    await w.waitStored(w.answers, 60_000);
    const storedAfterMs = Date.now() - thawedAt;
    const row = await w.row('MongoDB store (FerretDB) frozen (SIGSTOP) for 10 s', { note: `0 failed jobs; admin's system page answered in ${(systemMs / 1000).toFixed(1)} s while frozen; all stored ${(storedAfterMs / 1000).toFixed(1)} s after SIGCONT` });
    // a read is authorised with the user admin last read instead of waiting for the driver to give up
    expect(systemMs).toBeLessThan(10_000);
    expect(w.failures).toEqual([]);
    expect(row.answered).toBe(answeredBefore + 30);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
    expect((await system(w, token)).queue.failed).toBe(0);
    await waitFor(async () => (await rolledUp()) === row.stored || undefined, { timeoutMs: 30_000, what: 'roll-ups equal to the stored logs' });
  });
});
