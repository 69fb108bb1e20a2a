import { describe, expect, it } from 'vitest';
import { createLogger } from '@llm-relay/server-kit';
import { createMetrics } from '../ops/metrics.ts';
import { StoreGate } from './store-gate.ts';

function gate() {
  const events: string[] = [];
  const metrics = createMetrics();
  const g = new StoreGate({ metrics, log: createLogger('t', 'silent'), onUnavailable: () => events.push('pause'), onRecovered: () => events.push('resume'), minDelayMs: 1, maxDelayMs: 5 });
  return { g, events, metrics };
}

// errcode as node:sqlite sets it: 13 SQLITE_FULL and 5 SQLITE_BUSY (unavailable), 19 SQLITE_CONSTRAINT (the data)
describe('StoreGate', () => {
  it('retries a write while the store is unavailable, pausing once and resuming once', async () => {
    const { g, events, metrics } = gate();
    let calls = 0;
    const unavailable = Object.assign(new Error('database is full'), { errcode: 13 });
    const out = await g.run(async () => {
      calls++;
      if (calls <= 5) throw unavailable;
      return 'stored';
    });
    expect(out).toBe('stored');
    expect(calls).toBe(6);
    expect(events).toEqual(['pause', 'resume']);
    expect(g.unavailableSince).toBeNull();
    expect((await metrics.storeRetries.get()).values[0]!.value).toBe(5);
  });

  it('a call that may not reach the store (endsOutage: false) does not resume during an outage; the next write does', async () => {
    const { g, events } = gate();
    let down = true;
    const insert = g.run(async () => {
      if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), { name: 'MongoServerSelectionError' });
      return 'stored';
    });
    await g.whenUnavailable();
    await expect(g.run(async () => 'from memory', { endsOutage: false })).resolves.toBe('from memory');
    expect(events).toEqual(['pause']);
    expect(g.unavailableSince).not.toBeNull();
    down = false;
    await expect(insert).resolves.toBe('stored');
    expect(events).toEqual(['pause', 'resume']);
  });

  it('throws an error about the data at once, without pausing', async () => {
    const { g, events } = gate();
    const poison = Object.assign(new Error('UNIQUE constraint failed'), { errcode: 19 });
    await expect(g.run(async () => Promise.reject(poison))).rejects.toBe(poison);
    expect(events).toEqual([]);
  });

  it('abandoned while waiting (shutdown during an outage), a write never settles and stops retrying', async () => {
    const { g } = gate();
    let calls = 0;
    let settled = false;
    void g
      .run(async () => {
        calls++;
        throw Object.assign(new Error('database is locked'), { errcode: 5 });
      })
      .finally(() => (settled = true));
    await g.whenUnavailable();
    g.abandon();
    const seen = calls;
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBeLessThanOrEqual(seen + 1);
    expect(settled).toBe(false);
  });
});
