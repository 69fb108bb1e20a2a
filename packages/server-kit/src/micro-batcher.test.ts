import { describe, expect, it } from 'vitest';
import { MicroBatcher } from './micro-batcher.ts';

describe('MicroBatcher', () => {
  it('flushes full batches at once and settles each add with its own result', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, string>({ maxSize: 3, maxWaitMs: 60_000, flush: async (xs) => (batches.push(xs), xs.map((x) => `ok${x}`)) });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.add(x)));
    expect(results).toEqual(['ok1', 'ok2', 'ok3', 'ok4', 'ok5', 'ok6']);
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('a partial batch waits for the timer; drain() flushes it at once', async () => {
    const b = new MicroBatcher<number, number>({ maxSize: 100, maxWaitMs: 60_000, flush: async (xs) => xs });
    let settled = false;
    const p = b.add(7).then((v) => ((settled = true), v));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await b.drain();
    expect(await p).toBe(7);
  });

  it('a failed flush rejects every item of that batch and only that batch', async () => {
    let calls = 0;
    const b = new MicroBatcher<number, number>({ maxSize: 2, maxWaitMs: 60_000, flush: async (xs) => { if (calls++ === 0) throw new Error('store down'); return xs; } });
    const first = [b.add(1), b.add(2)].map((p) => p.catch((e: Error) => e.message));
    const second = [b.add(3), b.add(4)];
    expect(await Promise.all(first)).toEqual(['store down', 'store down']);
    expect(await Promise.all(second)).toEqual([3, 4]);
  });

  it('flushEagerly() stops waiting for batches to fill', async () => {
    const b = new MicroBatcher<number, number>({ maxSize: 100, maxWaitMs: 60_000, flush: async (xs) => xs });
    const p = b.add(1);
    b.flushEagerly();
    expect(await p).toBe(1);
    expect(await b.add(2)).toBe(2);
  });

  it('flushes early once the pending items weigh maxWeight', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, number>({ maxSize: 100, maxWaitMs: 60_000, weigh: (x) => x, maxWeight: 10, flush: async (xs) => (batches.push(xs), xs) });
    expect(await Promise.all([b.add(4), b.add(7)])).toEqual([4, 7]);
    expect(batches).toEqual([[4, 7]]);
  });

  it('items that pile up during a flush are cut into batches by weight too, not only by count', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const b = new MicroBatcher<number, void>({
      maxSize: 100, maxWaitMs: 60_000, weigh: (x) => x, maxWeight: 10,
      flush: async (xs) => {
        batches.push(xs);
        if (batches.length === 1) await first;
        return xs.map(() => undefined);
      },
    });
    b.submit(10);
    // these arrive while the first batch is still being flushed
    for (const x of [4, 4, 4, 4, 4, 1]) b.submit(x);
    release();
    await b.drain();
    expect(batches).toEqual([[10], [4, 4, 4], [4, 4, 1]]);
  });

  it('submit() hands items off in order without a promise; drain() waits for their flushes', async () => {
    const batches: number[][] = [];
    const b = new MicroBatcher<number, void>({ maxSize: 2, maxWaitMs: 60_000, flush: async (xs) => (batches.push(xs), xs.map(() => undefined)) });
    for (const x of [1, 2, 3]) b.submit(x);
    await b.drain();
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('a failed flush of submitted items does not leave an unhandled rejection', async () => {
    const b = new MicroBatcher<number, void>({ maxSize: 1, maxWaitMs: 0, flush: async () => { throw new Error('down'); } });
    b.submit(1);
    await b.drain();
    expect(b.size).toBe(0);
  });
});
