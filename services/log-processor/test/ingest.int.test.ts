import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsSchema, redisKeys, type LogListItem, type StoredLog } from '@llm-relay/contracts';
import { publishSnapshot } from '@llm-relay/server-kit';
import { waitFor } from '@llm-relay/testkit';
import { chatEvent } from './helpers/events.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { replayFailedJobs } from '@llm-relay/server-kit';
import { recomputeCosts } from '../src/features/pricing/recompute.ts';
import { storeTargets } from './helpers/stores.ts';

for (const target of storeTargets()) {
  describe(`processor end to end (${target.name})`, () => {
    let h: Harness;
    let snapshotVersion = 1;
    beforeAll(async () => {
      h = await startHarness({ databaseUrl: await target.databaseUrl() });
    });
    afterAll(async () => {
      await h?.close();
      await target.cleanup();
    });

    const stored = (id: string) => waitFor(() => h.processor.store.getLog(id), { what: `log ${id}` });
    async function liveEntries(): Promise<LogListItem[]> {
      const rows = await h.redis.xrange(redisKeys(h.prefix).liveStream, '-', '+');
      return rows.map(([, fields]) => JSON.parse(fields[1]!) as LogListItem);
    }
    async function setSettings(patch: Partial<ReturnType<typeof SettingsSchema.parse>>): Promise<void> {
      const settings = SettingsSchema.parse(patch);
      await publishSnapshot(h.redis, h.prefix, { version: ++snapshotVersion, writtenAt: Date.now(), settings, providers: [], keys: [] });
      await waitFor(() => JSON.stringify(h.processor.settings.current) === JSON.stringify(settings), { what: 'settings reload' });
    }

    it('stores queued events as logs and announces each on the live stream', async () => {
      const a = chatEvent({ stream: true, prompt: 'stream please', answer: 'Streamed answer.' });
      const b = chatEvent({ prompt: 'plain please', answer: 'Plain answer.' });
      await h.add(a);
      await h.add(b);
      const la = await stored(a.id);
      const lb = await stored(b.id);
      expect((la.response.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('Streamed answer.');
      expect(la.stream).toBe(true);
      expect(lb.responsePreview).toBe('Plain answer.');
      const live = await waitFor(async () => {
        const e = await liveEntries();
        return e.some((x) => x.id === a.id) && e.some((x) => x.id === b.id) ? e : null;
      });
      const entry = live.find((x) => x.id === a.id)!;
      expect(entry.requestPreview).toBe('stream please');
      expect(entry).not.toHaveProperty('request');
      const hb = await waitFor(() => h.redis.hgetall(redisKeys(h.prefix).processors).then((m) => Object.values(m)[0]));
      expect(JSON.parse(hb)).toMatchObject({ lastSeen: expect.any(Number), processed: expect.any(Number), failed: expect.any(Number) });
    });

    it('a redelivered event (same id, another job, and again after completion) makes one log and one roll-up count', async () => {
      const at = Date.parse('2026-03-01T10:15:30Z');
      const ev = chatEvent({ at, keyId: `key-dup-${target.name}` });
      await h.add(ev);
      await h.add(ev, `${ev.id}-redelivery`);
      await stored(ev.id);
      await waitFor(async () => (await h.queue.getCompletedCount()) >= 0 && (await h.queue.getJobCounts('active', 'wait')).wait === 0 && (await h.queue.getJobCounts('active')).active === 0);
      await h.add(ev, `${ev.id}-after-completion`);
      // a completed job is removed with its data: gone from the queue means done
      await waitFor(async () => ((await h.queue.getJob(`${ev.id}-after-completion`)) ? null : true));
      expect(await h.processor.store.countLogs({ from: at - 1, to: at + 1 })).toBe(1);
      const rows = await h.processor.store.queryRollups({ from: at - 60_000, to: at + 60_000, dim: 'key', value: `key-dup-${target.name}` });
      expect(rows.reduce((s, r) => s + r.count, 0)).toBe(1);
      const key = await h.processor.store.listLogs({ keyId: `key-dup-${target.name}` }, { limit: 10 });
      expect(key.items).toHaveLength(1);
    });

    it('an invalid payload fails at once (no retries), is kept, and can be replayed once fixed', async () => {
      const ev = chatEvent();
      const broken = { ...ev, v: 99 };
      await h.add(broken, ev.id);
      const job = await waitFor(async () => {
        const j = await h.queue.getJob(ev.id);
        return j?.failedReason ? j : null;
      });
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toMatch(/invalid exchange event/);
      await job.updateData(ev);
      expect(await replayFailedJobs(h.queue)).toBeGreaterThanOrEqual(1);
      await stored(ev.id);
    });

    it('usage sources reach the store: provider, injected, estimated', async () => {
      const provider = chatEvent();
      const injected = chatEvent({ stream: true, usageInjected: true });
      const estimated = chatEvent({ stream: true, usage: null });
      for (const e of [provider, injected, estimated]) await h.add(e);
      expect((await stored(provider.id)).usage.source).toBe('provider');
      expect((await stored(injected.id)).usage.source).toBe('injected');
      const est = await stored(estimated.id);
      expect(est.usage.source).toBe('estimated');
      expect(est.usage.completion).toBeGreaterThan(0);
    });

    it('redaction follows the snapshot at runtime: on, then off', async () => {
      await setSettings({ redactLogs: true });
      const on = chatEvent({ prompt: 'write to alice@example.com today', answer: 'Done, alice@example.com notified.' });
      await h.add(on);
      const lon = await stored(on.id);
      expect(JSON.stringify(lon)).not.toContain('alice@example.com');
      expect(lon.requestPreview).toContain('[EMAIL]');
      expect(lon.redactions.email).toBe(2);
      const liveOn = await waitFor(async () => (await liveEntries()).find((x) => x.id === on.id));
      expect(JSON.stringify(liveOn)).not.toContain('alice@example.com');
      const hits = await h.processor.store.listLogs({ q: 'alice@example.com' }, { limit: 5 });
      expect(hits.items.map((i) => i.id)).not.toContain(on.id);

      await setSettings({ redactLogs: false });
      const off = chatEvent({ prompt: 'write to bob@example.com today' });
      await h.add(off);
      const loff = await stored(off.id);
      expect(loff.requestPreview).toBe('write to bob@example.com today');
      expect(loff.redactions).toEqual({});
    });

    it('a price override from settings prices new logs, and recomputeCosts reprices a range', async () => {
      const at = Date.parse('2026-04-02T08:00:00Z');
      const usage = { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 };
      const before = chatEvent({ at, model: 'gpt-4o-mini', usage, keyId: `key-cost-${target.name}` });
      await h.add(before);
      const lb = await stored(before.id);
      expect(lb.cost).toEqual({ usd: 0.00075, price: { model: 'gpt-4o-mini', input: 0.15, cachedInput: 0.075, output: 0.6, source: 'table' } });

      await setSettings({ priceOverrides: { 'gpt-4o-mini': { input: 10, output: 20 } } });
      const after = chatEvent({ at: at + 1000, model: 'gpt-4o-mini', usage, keyId: `key-cost-${target.name}` });
      await h.add(after);
      expect((await stored(after.id)).cost).toEqual({ usd: 0.03, price: { model: 'gpt-4o-mini', input: 10, output: 20, source: 'override' } });

      const r = await recomputeCosts(h.processor.store, { from: at, to: at + 1 }, { 'gpt-4o-mini': { input: 10, output: 20 } });
      expect(r.updated).toBe(1);
      expect((await h.processor.store.getLog(before.id))!.cost.usd).toBeCloseTo(0.03, 10);
      // the roll-ups are written beside the logs, after the insert a log is read back from: on MongoDB the second
      // log's roll-up can land after the reprice, so wait for both calls to be counted
      const rollup = async () => {
        const rows = await h.processor.store.queryRollups({ from: at - 60_000, to: at + 60_000, dim: 'key', value: `key-cost-${target.name}` });
        return { count: rows.reduce((s, x) => s + x.count, 0), usd: rows.reduce((s, x) => s + x.costUsd, 0) };
      };
      const total = await waitFor(async () => {
        const t = await rollup();
        return t.count === 2 && Math.abs(t.usd - 0.06) < 1e-9 ? t : undefined;
      }, { timeoutMs: 10_000, what: 'both calls in the roll-ups at the new price' }).catch(async () => rollup());
      expect(total.usd).toBeCloseTo(0.06, 10);
      expect(total.count).toBe(2);
      await setSettings({});
    });

    it('/healthz and /metrics answer', async () => {
      expect((await h.processor.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      const m = await h.processor.app.inject({ url: '/metrics' });
      expect(m.body).toMatch(/llmrelay_processor_processed_total \d+/);
      expect(m.body).toContain('llmrelay_processor_queue_lag_seconds_bucket');
      expect(m.body).toMatch(/llmrelay_processor_redactions_total\{type="email"\} 2/);
    });
  });
}

export type { StoredLog };
