/**
 * Issue 14 item 3: a gateway (re)started while Redis is down starts from the configuration it cached on
 * disk and answers 200, journaling its events; Redis then comes back empty, admin re-publishes the
 * snapshot at once (not on its next 10 s tick), and every answered request is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { waitFor } from '@llm-relay/testkit';
import { redisKeys } from '@llm-relay/contracts';
import { FaultWorld } from './harness.ts';

let w: FaultWorld;
beforeAll(async () => {
  // the reconcile tick far away, so only the immediate re-publish can pass
  w = await FaultWorld.start({ label: 'start-no-redis', redisPort: 7303, env: { SNAPSHOT_REPUBLISH_SECONDS: '600' } });
});
afterAll(() => w?.close());

describe('fault: gateway started while Redis is down', () => {
  it('answers 200 from its cached snapshot; its events are stored once Redis returns (empty)', async () => {
    await w.chat(10, { concurrency: 2, label: 'before' });
    await w.stack.stopPart('gateway');
    await w.redis.kill();
    // startPart waits for /readyz 200: ready without Redis
    await w.stack.startPart('gateway');
    const during = await w.chat(30, { concurrency: 3, streamEvery: 3, label: 'redis down' });
    expect(during.map((a) => a.status)).toEqual(Array(30).fill(200));

    w.redis.wipe();
    await w.redis.start();
    const back = Date.now();
    const r = new Redis(w.redis.url, { maxRetriesPerRequest: 1 });
    const republishMs = await waitFor(async () => (await r.exists(redisKeys(w.stack.prefix).snapshot)) === 1 && Date.now() - back, { timeoutMs: 8_000, intervalMs: 50, what: 'snapshot re-published' }).finally(() => r.disconnect());
    const row = await w.row('gateway started while Redis was down; Redis back empty', { note: `admin re-published the snapshot ${republishMs} ms after Redis came back`, timeoutMs: 45_000 });
    expect(w.failures).toEqual([]);
    expect(row.answered).toBe(40);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
  });
});
