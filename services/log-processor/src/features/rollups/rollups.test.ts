import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '@llm-relay/contracts';
import { ROLLUP_LATENCY_BUCKETS } from '@llm-relay/store';
import { chatEvent } from '../../../test/helpers/events.ts';
import { buildLog } from '../logs/build-log.ts';
import { costDeltaRollups, keyUsageFor, rollupsFor } from './rollups.ts';

const opts = { settings: SettingsSchema.parse({}), redactor: null, keepEmbeddingVectors: false };
const minute = Date.parse('2026-02-02T02:02:00Z');

describe('roll-ups', () => {
  const ok = buildLog(chatEvent({ at: minute + 1000, keyId: 'k1', usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }), opts);
  const failed = buildLog(chatEvent({ at: minute + 2000, keyId: 'k2', status: 500, usage: null }), opts);
  const nextMinute = buildLog(chatEvent({ at: minute + 61_000, keyId: 'k1' }), opts);

  it('sum a batch per minute and dimension, errors and latency buckets included', () => {
    const rows = rollupsFor([ok, failed, nextMinute]);
    const all = rows.find((r) => r.dim === 'all' && r.minute === minute)!;
    expect(all).toMatchObject({ value: 'all', count: 2, errors: 1, promptTokens: 10, completionTokens: 5, latencySumMs: 240 });
    // 120 ms falls in the (100, 250] bucket
    expect(all.latencyBuckets[ROLLUP_LATENCY_BUCKETS.indexOf(250)]).toBe(2);
    expect(all.latencyBuckets).toHaveLength(ROLLUP_LATENCY_BUCKETS.length + 1);
    expect(rows.filter((r) => r.dim === 'key' && r.minute === minute).map((r) => [r.value, r.count])).toEqual([['k1', 1], ['k2', 1]]);
    expect(rows.find((r) => r.dim === 'model' && r.minute === minute)).toMatchObject({ value: 'gpt-4o-mini', count: 2 });
    expect(rows.find((r) => r.dim === 'all' && r.minute === minute + 60_000)).toMatchObject({ count: 1 });
  });

  it('a cost correction moves only the cost', () => {
    const rows = costDeltaRollups([{ log: ok, deltaUsd: 0.5 }]);
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r).toMatchObject({ count: 0, errors: 0, promptTokens: 0, costUsd: 0.5, latencySumMs: 0 });
  });

  it('key usage: one update per key with its latest use', () => {
    expect(keyUsageFor([ok, nextMinute, failed])).toEqual([
      { id: 'k1', lastUsedAt: nextMinute.timing.endedAt, requests: 2, tokens: 15 + 12, costUsd: (ok.cost.usd ?? 0) + (nextMinute.cost.usd ?? 0) },
      { id: 'k2', lastUsedAt: failed.timing.endedAt, requests: 1, tokens: 0, costUsd: 0 },
    ]);
  });
});
