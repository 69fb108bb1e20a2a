/**
 * Issue 17: the processor counts each newly stored log's cost into Redis spend counters (per key and per
 * project, day and month, integer micro-USD), exactly once per log, and flags calls it could not price.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spendKey, toMicroUsd, type ExchangeEvent } from '@llm-relay/contracts';
import { waitFor } from '@llm-relay/testkit';
import { chatEvent } from './helpers/events.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const inProject = (e: ExchangeEvent, projectId: string, keyId: string): ExchangeEvent => ({ ...e, key: { id: keyId, prefix: 'sk-relay-abcd', name: keyId, projectId } });
const get = async (key: string): Promise<number | null> => {
  const v = await h.redis.get(key);
  return v === null ? null : Number(v);
};
const processed = (n: number) => waitFor(() => h.processor.ingest.counts.processed >= n, { timeoutMs: 20_000, what: `${n} jobs processed` });

describe('spend counting', () => {
  it('counts a stored log once in its key and project counters (day and month); a redelivery adds nothing', async () => {
    const at = Date.now();
    const e = inProject(chatEvent({ at, usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } }), 'p-count', 'k-count');
    await h.add(e);
    await processed(1);
    const stored = await waitFor(() => h.processor.store.getLog(e.id));
    const micro = toMicroUsd(stored.cost.usd!);
    expect(micro).toBeGreaterThan(0);
    for (const [scope, id] of [['key', 'k-count'], ['project', 'p-count']] as const) {
      for (const period of ['day', 'month'] as const) expect(await get(spendKey(h.prefix, scope, id, period, at))).toBe(micro);
    }
    // the counters expire after their period (a day counter within ~3 days, a month counter within ~40)
    const dayTtl = await h.redis.pttl(spendKey(h.prefix, 'key', 'k-count', 'day', at));
    const monthTtl = await h.redis.pttl(spendKey(h.prefix, 'key', 'k-count', 'month', at));
    expect(dayTtl).toBeGreaterThan(2 * 86_400_000);
    expect(dayTtl).toBeLessThanOrEqual(3 * 86_400_000);
    expect(monthTtl).toBeGreaterThan(9 * 86_400_000);
    expect(monthTtl).toBeLessThanOrEqual(40 * 86_400_000);

    // the same event again under another job id (a replay): stored already, counted already
    await h.add(e, `${e.id}-again`);
    await processed(2);
    expect(await get(spendKey(h.prefix, 'project', 'p-count', 'day', at))).toBe(micro);
    expect(await get(spendKey(h.prefix, 'key', 'k-count', 'month', at))).toBe(micro);
  });

  it('counts a call with an unknown price as $0 and flags it; a call without a key counts nowhere', async () => {
    const at = Date.now();
    const unpriced = inProject(chatEvent({ at, model: 'no-price-model-x' }), 'p-unpriced', 'k-unpriced');
    const keyless = { ...chatEvent({ at }), key: null };
    const before = h.processor.ingest.counts.processed;
    await h.add(unpriced);
    await h.add(keyless);
    await processed(before + 2);
    const key = spendKey(h.prefix, 'project', 'p-unpriced', 'day', at);
    expect(await get(key)).toBe(0);
    expect(await get(`${key}:unpriced`)).toBe(1);
    expect(await get(`${spendKey(h.prefix, 'key', 'k-unpriced', 'month', at)}:unpriced`)).toBe(1);
    expect(await h.redis.keys(`${h.prefix}:spend:key:none:*`)).toEqual([]);
  });
});
