/**
 * Baseline: Redis (with its append-only file) killed mid-traffic and started again. The gateway answers
 * throughout, spools to its journal while Redis is away and replays it; every answer is stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';

let w: FaultWorld;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'aof-restart', redisPort: 7301, parts: ['gateway', 'processor'] });
});
afterAll(() => w?.close());

describe('fault: Redis killed and restarted with its data', () => {
  it('answers 200 throughout and stores every answered request once', async () => {
    await w.chat(40, { concurrency: 4, streamEvery: 3, label: 'before' });
    await w.redis.kill();
    const during = await w.chat(30, { concurrency: 4, streamEvery: 3, label: 'during' });
    await w.redis.start();
    await waitFor(async () => ((await (await fetch(`${w.stack.gatewayUrl}/readyz`)).json()) as { redis: string }).redis === 'ready', { timeoutMs: 15_000, what: 'gateway back on Redis' });
    await w.chat(30, { concurrency: 4, streamEvery: 3, label: 'after' });
    expect(during.every((a) => a.status === 200)).toBe(true);
    const row = await w.row('Redis killed mid-traffic, restarted with its AOF');
    expect(w.failures).toEqual([]);
    expect(row.answered).toBe(100);
    expect(w.answers.every((a) => a.status === 200)).toBe(true);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
  });
});
