import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsSchema } from '@llm-relay/contracts';
import { createLogger, createRedis } from '@llm-relay/server-kit';
import { createStore, type Store } from '@llm-relay/store';
import { deleteRedisPrefix, tempDir, uniquePrefix } from '@llm-relay/testkit';
import { buildLog } from '../src/features/logs/build-log.ts';
import { createMetrics } from '../src/features/ops/metrics.ts';
import { persistIsolating } from '../src/features/ingest/persist.ts';
import { StoreGate } from '../src/features/ingest/store-gate.ts';
import { chatEvent } from './helpers/events.ts';
import { REDIS_URL } from './helpers/harness.ts';

describe.each([false, true])('a log the store rejects (write thread: %s)', (writeThread) => {
  const dir = tempDir('lp-persist');
  const prefix = uniquePrefix('lp-persist');
  const redis = createRedis(REDIS_URL, 'client');
  let store: Store;
  beforeAll(async () => {
    store = await createStore(`sqlite:${dir.path}/relay.db`, { writeThread });
  });
  afterAll(async () => {
    await store.close();
    await deleteRedisPrefix(redis, prefix);
    await redis.quit();
    dir.remove();
  });

  it('fails only its own job; the rest of its batch is stored and counted once', async () => {
    const opts = { settings: SettingsSchema.parse({}), redactor: null, keepEmbeddingVectors: false };
    const at = Date.parse('2026-06-06T06:06:00Z');
    const [a, bad, c] = [0, 1, 2].map((i) => buildLog(chatEvent({ at: at + i, keyId: 'persist-key' }), opts));
    // a value no store can serialise stands in for a document the database refuses (e.g. over 16 MB)
    bad!.response.body = { n: 1n };
    const metrics = createMetrics();
    const log = createLogger('t', 'silent');
    const gate = new StoreGate({ metrics, log, onUnavailable: () => {}, onRecovered: () => {} });
    const deps = { store, redis, prefix, metrics, log, gate };
    const out = await persistIsolating(deps, [a!, bad!, c!]);
    expect(out[0]).toBe('inserted');
    expect(out[1]).toMatchObject({ error: expect.any(Error) });
    expect(out[2]).toBe('inserted');
    expect(await store.getLog(bad!.id)).toBeNull();
    expect(await store.countLogs({})).toBe(2);
    const rows = await store.queryRollups({ from: at - 60_000, to: at + 60_000, dim: 'key', value: 'persist-key' });
    expect(rows.reduce((s, r) => s + r.count, 0)).toBe(2);
  });
});
