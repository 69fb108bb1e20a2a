/**
 * Issue 17: budget threshold alerts. Two processors on one queue and one SQLite store count spend; a
 * project's webhook (a real HTTP receiver) gets each threshold once per period, however the logs were
 * batched and whichever processor counted them; a webhook that keeps failing is retried with backoff and
 * then written to the audit log; a project without a webhook gets nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { BUDGET_ALERTS_QUEUE, BudgetAlertSchema, SettingsSchema, budgetAlertedKey, periodTag, type BudgetAlert, type ExchangeEvent } from '@llm-relay/contracts';
import { publishSnapshot } from '@llm-relay/server-kit';
import { startWebhookReceiver, tempDir, uniquePrefix, waitFor, type WebhookReceiver } from '@llm-relay/testkit';
import { chatEvent } from './helpers/events.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

const MODEL = 'alert-model';
const dir = tempDir('lp-alerts');
let h1: Harness;
let h2: Harness;
/** every harness started, closed at the end (a restarted processor's harness too) */
const all: Harness[] = [];
let shared: Parameters<typeof startHarness>[0];
let hook: WebhookReceiver;
let alertQueue: Queue;

beforeAll(async () => {
  hook = await startWebhookReceiver();
  const prefix = uniquePrefix('lp-alerts');
  shared = { prefix, databaseUrl: `sqlite:${dir.path}/relay.db`, env: { BUDGET_ALERT_BACKOFF_MS: '20' } };
  h1 = await startHarness(shared);
  h2 = await startHarness(shared);
  all.push(h1, h2);
  // $0.10 per call: 100 input tokens at $1000 per million
  const settings = SettingsSchema.parse({ priceOverrides: { [MODEL]: { input: 1000, output: 1000 } } });
  await publishSnapshot(h1.redis, prefix, { version: 1, writtenAt: Date.now(), settings, providers: [], keys: [] });
  await Promise.all([h1.processor.settings.reload(), h2.processor.settings.reload()]);
  const now = Date.now();
  const project = (id: string, name: string, usd: number, alertWebhookUrl: string | null, alertThresholds: number[]) =>
    h1.processor.store.createProject({ id, name, budget: { usd, period: 'month' }, alertWebhookUrl, alertThresholds, createdAt: now, updatedAt: now });
  await project('p-alpha', 'Alpha', 1, `${hook.url}/alpha`, [0.5, 0.8, 1]);
  await project('p-broken', 'Broken', 0.1, `${hook.url}/fail-broken`, [1]);
  await project('p-silent', 'Silent', 0.1, null, [1]);
  alertQueue = new Queue(BUDGET_ALERTS_QUEUE, { connection: h1.redis, prefix });
}, 60_000);
afterAll(async () => {
  await alertQueue?.close();
  for (const h of all.reverse()) await h.close();
  await hook?.close();
  dir.remove();
});

const call = (projectId: string, i: number): ExchangeEvent => ({
  ...chatEvent({ model: MODEL, prompt: `${projectId} ${i}`, usage: { prompt_tokens: 100, completion_tokens: 0, total_tokens: 100 } }),
  key: { id: `key-${projectId}`, prefix: 'sk-relay-abcd', name: projectId, projectId },
});
const processed = () => all.reduce((n, h) => n + h.processor.ingest.counts.processed, 0);
const alertsIdle = async () => {
  const c = await alertQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  return Object.values(c).every((n) => n === 0);
};
const alertsTo = (path: string): BudgetAlert[] => hook.received.filter((r) => r.path === path).map((r) => BudgetAlertSchema.parse(r.body));
const metric = async (h: Harness, line: string): Promise<number> => {
  const text = await h.processor.metrics.registry.metrics();
  return Number(text.split('\n').find((l) => l.startsWith(line))?.split(' ').pop() ?? 0);
};

describe('budget alerts', () => {
  it('tells the webhook once per threshold, across two processors and any batching', async () => {
    // the counters were missing at start: the first processor rebuilt them (from an empty store), the second did not
    expect((await metric(h1, 'llmrelay_processor_spend_rebuilds_total{result="done"}')) + (await metric(h2, 'llmrelay_processor_spend_rebuilds_total{result="done"}'))).toBe(1);
    // 12 calls of $0.10 against $1: 50 %, 80 % and 100 % are crossed, 120 % spent in the end
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? h2 : h1).add(call('p-alpha', i))));
    await waitFor(() => processed() >= 12, { timeoutMs: 20_000, what: '12 logs stored' });
    await waitFor(async () => alertsTo('/alpha').length >= 3 && (await alertsIdle()), { timeoutMs: 20_000, what: 'three alerts delivered' });
    const alerts = alertsTo('/alpha').sort((a, b) => a.threshold - b.threshold);
    expect(alerts.map((a) => a.threshold)).toEqual([0.5, 0.8, 1]);
    for (const a of alerts) {
      expect(a).toMatchObject({ type: 'budget.threshold', project: { id: 'p-alpha', name: 'Alpha' }, budgetUsd: 1, period: 'month' });
      expect(a.spendUsd).toBeGreaterThanOrEqual(a.threshold - 1e-9);
      expect(a.periodStart).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
      expect(a.text).toContain('Project "Alpha" has reached');
      expect(a.text).toContain('of $1.00 spent');
    }
    expect((await metric(h1, 'llmrelay_processor_budget_alerts_total{result="sent"}')) + (await metric(h2, 'llmrelay_processor_budget_alerts_total{result="sent"}'))).toBe(3);

    // more spend in the same period, counted by a processor started afresh (it remembers nothing, the jobs
    // are gone): the claims in Redis keep every threshold from being told again
    await h1.processor.ingest.worker.pause();
    await h2.processor.close();
    h2 = await startHarness(shared);
    all.push(h2);
    await h2.add(call('p-alpha', 99));
    await waitFor(() => h2.processor.ingest.counts.processed >= 1, { timeoutMs: 20_000, what: 'one more log' });
    expect(await alertsIdle()).toBe(true);
    expect(alertsTo('/alpha')).toHaveLength(3);
    h1.processor.ingest.worker.resume();
  });

  it('reports budget use by project on /metrics', async () => {
    const text = await h1.processor.metrics.registry.metrics();
    expect(text).toMatch(/^llmrelay_budget_used_ratio\{project="Alpha"\} 1\.3$/m);
    expect(text).toMatch(/^llmrelay_budget_spend_usd\{project="Alpha"\} 1\.3$/m);
  });

  it('retries a failing webhook with backoff, then writes the failure to the audit log', async () => {
    await h1.add(call('p-broken', 0));
    const entry = await waitFor(async () => (await h1.processor.store.listAudit({ limit: 20 })).find((e) => e.action === 'budget.alert_failed'), { timeoutMs: 30_000, what: 'audit entry' });
    expect(entry).toMatchObject({ actor: 'system', target: 'p-broken', details: { threshold: 1, attempts: 5, error: 'the webhook answered 500', webhook: hook.url } });
    // every attempt reached the receiver: 5 attempts, 1 threshold
    expect(alertsTo('/fail-broken')).toHaveLength(5);
    expect((await metric(h1, 'llmrelay_processor_budget_alerts_total{result="failed"}')) + (await metric(h2, 'llmrelay_processor_budget_alerts_total{result="failed"}'))).toBe(1);
  });

  it('sends nothing for a project without a webhook', async () => {
    const before = processed();
    await h1.add(call('p-silent', 0));
    await waitFor(() => processed() > before, { timeoutMs: 20_000, what: 'log stored' });
    expect(await h1.redis.exists(budgetAlertedKey(h1.prefix, 'p-silent', periodTag('month', Date.now()), 1))).toBe(0);
    expect(hook.received.filter((r) => !r.path.startsWith('/alpha') && !r.path.startsWith('/fail-broken'))).toEqual([]);
  });
});
