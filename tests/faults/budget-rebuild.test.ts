/**
 * Issue 17: spend counters survive Redis losing its data. Redis (the scenario's own) is killed and restarted
 * empty under the running relay; the log processor notices the missing marker and rebuilds the current day's
 * and month's counters from the store, once, and keeps counting on top of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { waitFor } from '@llm-relay/testkit';
import { periodStart, redisKeys, spendKey, toMicroUsd } from '@llm-relay/contracts';
import { FaultWorld } from './harness.ts';

let w: FaultWorld;
let redis: Redis;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'budget-rebuild', redisPort: 7306, parts: ['gateway', 'processor', 'admin'] });
  redis = new Redis(w.redis.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  // $1 per million tokens: every call costs a whole number of micro-dollars, so the counters (summed per log)
  // and the store's totals (summed in USD) can be compared exactly
  const token = await w.stack.login();
  const res = await fetch(`${w.stack.adminUrl}/admin/settings`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ priceOverrides: { 'gpt-4o-mini': { input: 1, output: 1 } } }),
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  redis?.disconnect();
  await w?.close();
});

/** every spend counter in Redis, by key */
async function counters(): Promise<Record<string, number>> {
  const keys = (await redis.keys(`${w.stack.prefix}:spend:*`)).sort();
  const values = keys.length > 0 ? await redis.mget(...keys) : [];
  return Object.fromEntries(keys.map((k, i) => [k, Number(values[i])]));
}

/** what the store says the key's counters should hold */
async function fromStore(keyId: string): Promise<Record<string, number>> {
  const store = await w.openStore();
  const now = Date.now();
  const out: Record<string, number> = {};
  for (const period of ['day', 'month'] as const) {
    const s = await store.spendSince(periodStart(period, now));
    out[spendKey(w.stack.prefix, 'key', keyId, period, now)] = toMicroUsd(s.keys[keyId]?.usd ?? 0);
  }
  return out;
}

const rebuilds = async (): Promise<number> => {
  const text = await (await fetch(`${w.stack.processorUrl}/metrics`)).text();
  return Number(/^llmrelay_processor_spend_rebuilds_total\{result="done"\} (\d+)/m.exec(text)?.[1] ?? 0);
};

describe('fault: Redis restarted empty under counted spend', () => {
  it('rebuilds the day and month counters from the store, once, and counts on from there', async () => {
    await w.chat(20, { concurrency: 4, streamEvery: 3, label: 'before' });
    await w.waitStored();
    const keyId = (await (await w.openStore()).listLogs({}, { limit: 1 })).items[0]!.key!.id;
    const expected = await fromStore(keyId);
    expect(Object.values(expected).every((v) => v > 0)).toBe(true);
    await waitFor(async () => {
      const c = await counters();
      return Object.entries(expected).every(([k, v]) => c[k] === v);
    }, { what: 'counters equal the store', timeoutMs: 20_000 });
    const before = await counters();
    const rebuiltAtStart = await rebuilds();

    await w.restartRedisEmpty();
    // the marker holds a claim (`rebuilding:…`) while the rebuild runs and the rebuild's summary once it is done
    await waitFor(async () => (await redis.get(redisKeys(w.stack.prefix).spendRebuilt))?.startsWith('{') === true, { what: 'rebuild done', timeoutMs: 20_000 });
    const after = await counters();
    for (const [k, v] of Object.entries(expected)) expect(after[k], k).toBe(v);
    expect(after).toEqual(before);
    await waitFor(async () => (await rebuilds()) === rebuiltAtStart + 1, { what: 'one more rebuild counted', timeoutMs: 5_000 });
    expect(await rebuilds()).toBe(rebuiltAtStart + 1);

    // counting goes on from the rebuilt values: still equal to the store, nothing counted twice
    await w.chat(10, { concurrency: 2, label: 'after' });
    const row = await w.row('Redis killed, restarted empty: spend counters rebuilt from the store', { note: 'counters equal to the store before the restart, after the rebuild, and after 10 more calls' });
    expect(row.lost).toBe(0);
    const expectedAfter = await fromStore(keyId);
    await waitFor(async () => {
      const c = await counters();
      return Object.entries(expectedAfter).every(([k, v]) => c[k] === v);
    }, { what: 'counters equal the store after more traffic', timeoutMs: 20_000 });
    expect(Object.values(expectedAfter)[0]).toBeGreaterThan(Object.values(expected)[0]!);
  });
});
