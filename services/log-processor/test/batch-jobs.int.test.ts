/**
 * Gateways queue their events as `exchange-batch` jobs. Each event of a batch is stored as if it were a job of
 * its own: acknowledged to its gateway, counted once, and — when it cannot be stored — queued again as a
 * single-event job that fails (and is kept) alone while the rest of the batch is stored. Real Redis, BullMQ
 * and SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCHANGE_BATCH_JOB_NAME, EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS, storedAcksKey } from '@llm-relay/contracts';
import { replayFailedJobs } from '@llm-relay/server-kit';
import { waitFor } from '@llm-relay/testkit';
import { createRedactor } from '../src/features/redaction/index.ts';
import { redactJobData } from '../src/features/ingest/redact-failed.ts';
import { chatEvent } from './helpers/events.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const stored = (id: string) => waitFor(() => h.processor.store.getLog(id), { what: `log ${id}` });
const queueEmpty = () => waitFor(async () => {
  const c = await h.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(c).every((n) => n === 0) || null;
}, { what: 'no job waiting or held' });
async function ackedIds(): Promise<string[]> {
  const entries = await h.redis.xrange(storedAcksKey(h.prefix, 'gw-test'), '-', '+');
  return entries.flatMap(([, fields]) => fields[1]!.split(','));
}

describe('exchange-batch jobs', () => {
  it('stores every event of a batch, acknowledges each to its gateway, counts events, and completes the batch', async () => {
    const processedBefore = h.processor.ingest.counts.processed;
    const events = Array.from({ length: 5 }, (_, i) => chatEvent({ prompt: `batch question ${i}`, answer: `batch answer ${i}` }));
    const [jobId] = await h.addBatch(events);
    expect(jobId).toMatch(new RegExp(`^batch-${events[0]!.id}-5-`));
    for (const ev of events) expect((await stored(ev.id)).requestPreview).toBe(`batch question ${events.indexOf(ev)}`);
    await queueEmpty();
    // completed jobs are removed at once: the batch is gone, not failed
    expect(await h.queue.getJob(jobId!)).toBeUndefined();
    expect((await h.queue.getJobCounts('failed')).failed).toBe(0);
    await waitFor(async () => {
      const acked = new Set(await ackedIds());
      return events.every((e) => acked.has(e.id)) || null;
    }, { what: 'every event acknowledged' });
    expect(h.processor.ingest.counts.processed - processedBefore).toBe(5);
  });

  it('an invalid event fails alone: the batch is stored and completes, the event is queued again as its own job and kept failed, and replays once fixed', async () => {
    const good = [chatEvent({ prompt: 'before the poison' }), chatEvent({ prompt: 'after the poison' })];
    const poison = chatEvent({ prompt: 'the poison' });
    const [jobId] = await h.addBatch([good[0]!, { ...poison, v: 99 } as unknown as typeof poison, good[1]!]);
    await stored(good[0]!.id);
    await stored(good[1]!.id);
    const single = await waitFor(async () => {
      const j = await h.queue.getJob(poison.id);
      return j?.failedReason ? j : null;
    }, { what: 'the poison event failed as a job of its own' });
    expect(single.name).toBe(EXCHANGE_JOB_NAME);
    expect(single.attemptsMade).toBe(1);
    expect(single.failedReason).toMatch(/invalid exchange event/);
    expect(await h.queue.getJob(jobId!)).toBeUndefined();
    expect((await h.queue.getJobCounts('failed')).failed).toBe(1);
    expect(await h.processor.store.getLog(poison.id)).toBeNull();
    // fixed and replayed like any failed exchange job
    await single.updateData(poison);
    expect(await replayFailedJobs(h.queue)).toBe(1);
    await stored(poison.id);
  });

  it('a batch queued twice (a timed-out add that landed, then its replay) stores each event and counts it once', async () => {
    const at = Date.parse('2026-04-02T08:00:00Z');
    const events = Array.from({ length: 3 }, (_, i) => chatEvent({ at: at + i, keyId: 'key-batch-twice' }));
    const first = await h.addBatch(events);
    const again = await h.addBatch(events);
    expect(again).toEqual(first);
    for (const ev of events) await stored(ev.id);
    await queueEmpty();
    // and once more after completion (the job is removed, so BullMQ no longer deduplicates): the store does
    await h.addBatch(events);
    await queueEmpty();
    expect(await h.processor.store.countLogs({ keyId: 'key-batch-twice' })).toBe(3);
    const rows = await h.processor.store.queryRollups({ from: at - 60_000, to: at + 60_000, dim: 'key', value: 'key-batch-twice' });
    expect(rows.reduce((s, r) => s + r.count, 0)).toBe(3);
  });

  it('a batch job without events fails at once and is kept', async () => {
    await h.queue.add(EXCHANGE_BATCH_JOB_NAME, { events: [] }, { ...EXCHANGE_JOB_OPTIONS, jobId: 'batch-empty' });
    const job = await waitFor(async () => {
      const j = await h.queue.getJob('batch-empty');
      return j?.failedReason ? j : null;
    }, { what: 'the empty batch failed' });
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/invalid exchange batch/);
    await job.remove();
  });
});

describe('a failed batch job kept for replay is redacted event by event', () => {
  it('every event keeps its id, key and gateway; every other string is redacted', () => {
    const a = chatEvent({ prompt: 'mail first.person@example.com' });
    const b = chatEvent({ prompt: 'call 13800138000' });
    const out = redactJobData({ events: [a, b] }, createRedactor()) as { events: { id: string; key: unknown; gatewayId: string }[] };
    expect(out.events.map((e) => e.id)).toEqual([a.id, b.id]);
    expect(out.events[0]!.key).toEqual(a.key);
    expect(out.events[1]!.gatewayId).toBe(b.gatewayId);
    const text = JSON.stringify(out);
    expect(text).not.toContain('first.person@example.com');
    expect(text).not.toContain('13800138000');
    expect(text).toContain('[EMAIL]');
    expect(text).toContain('[PHONE]');
  });
});
