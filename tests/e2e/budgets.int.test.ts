/**
 * Issue 17 end to end, as an operator sets it up: the admin API creates a project with a $1 daily budget and
 * an alert webhook, and a relay key in it; a price override makes each call cost exactly $0.125. The openai
 * SDK calls the gateway one call at a time until the gateway refuses; the processor counts, the webhook (a
 * receiver this test runs) hears 50 % and 100 % once each, and admin shows the spend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startRelayStack, startWebhookReceiver, waitFor, type RelayStack, type WebhookReceiver } from '@llm-relay/testkit';
import { BudgetAlertSchema, periodEnd, type ProjectView } from '@llm-relay/contracts';

const MODEL = 'gpt-4o-mini';
const CALL_MICRO_USD = 125_000;
const msg = [{ role: 'user' as const, content: 'a budgeted call' }];

let stack: RelayStack;
let hook: WebhookReceiver;
let token: string;
let project: ProjectView;
let secret: string;

async function admin<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

beforeAll(async () => {
  hook = await startWebhookReceiver();
  stack = await startRelayStack({ label: 'budgets-e2e', redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  token = await stack.login();
  // the mock's token count for this request prices one call at exactly $0.125
  const probe = await new OpenAI({ baseURL: stack.mockUrl, apiKey: 'sk-direct', maxRetries: 0 }).chat.completions.create({ model: MODEL, messages: msg });
  const perMillion = CALL_MICRO_USD / (probe.usage!.prompt_tokens + probe.usage!.completion_tokens);
  expect((await admin('PUT', '/admin/settings', { priceOverrides: { [MODEL]: { input: perMillion, output: perMillion } } })).status).toBe(200);
  const created = await admin<ProjectView>('POST', '/admin/projects', { name: 'Team E2E', budget: { usd: 1, period: 'day' }, alertWebhookUrl: `${hook.url}/team`, alertThresholds: [0.5, 1] });
  expect(created.status).toBe(201);
  project = created.body;
  const key = await admin<{ secret: string }>('POST', '/admin/api-keys', { name: 'team key', projectId: project.id });
  expect(key.status).toBe(201);
  secret = key.body.secret;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await hook?.close();
});

async function call(client: OpenAI): Promise<{ status: number; err?: InstanceType<typeof OpenAI.APIError> }> {
  try {
    await client.chat.completions.create({ model: MODEL, messages: msg });
    return { status: 200 };
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { status: err.status ?? 0, err };
    throw err;
  }
}
const spendOf = async (): Promise<number> => (await admin<ProjectView>('GET', `/admin/projects/${project.id}`)).body.spend.usd;

describe('budgets and alerts through the admin API', () => {
  it('stops the project at its budget, tells the webhook each threshold once, and shows the spend', async () => {
    const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: secret, maxRetries: 0 });
    // the key reaches the gateway with the snapshot admin republished
    await waitFor(async () => (await call(client)).status === 200, { timeoutMs: 15_000, what: 'the new key admitted' });
    let admitted = 1;
    await waitFor(async () => (await spendOf()) === 0.125, { timeoutMs: 20_000, what: 'first call counted' });
    for (;;) {
      const r = await call(client);
      if (r.status !== 200) {
        expect(r.status).toBe(429);
        expect(r.err!.code).toBe('budget_exceeded');
        expect(r.err!.type).toBe('insufficient_quota');
        expect(r.err!.message).toContain('project "Team E2E"');
        expect(r.err!.headers?.get('x-relay-budget-reset')).toBe(new Date(periodEnd('day', Date.now())).toISOString());
        break;
      }
      admitted++;
      expect(admitted).toBeLessThanOrEqual(8);
      // one call at a time, each counted before the next: the budget is not overshot
      await waitFor(async () => (await spendOf()) === (admitted * CALL_MICRO_USD) / 1e6, { timeoutMs: 20_000, what: `call ${admitted} counted` });
    }
    expect(admitted).toBe(8);
    expect(await spendOf()).toBe(1);

    await waitFor(async () => {
      const text = await (await fetch(`${stack.processorUrl}/metrics`)).text();
      return /^llmrelay_processor_budget_alerts_total\{result="sent"\} 2$/m.test(text);
    }, { timeoutMs: 20_000, what: 'two alerts sent' });
    const alerts = hook.received.map((r) => ({ path: r.path, alert: BudgetAlertSchema.parse(r.body) }));
    expect(alerts.map((a) => [a.path, a.alert.threshold]).sort()).toEqual([
      ['/team', 0.5],
      ['/team', 1],
    ]);
    for (const { alert } of alerts) expect(alert).toMatchObject({ type: 'budget.threshold', project: { id: project.id, name: 'Team E2E' }, budgetUsd: 1, period: 'day' });
  });
});
