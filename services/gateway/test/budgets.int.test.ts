/**
 * Issue 17: budgets enforced at every gateway replica. Real processes: a mock provider, two gateways, a log
 * processor (SQLite) on one Redis prefix; the official openai SDK as the client. A price override makes
 * every call cost exactly $0.125, so a $1 budget is spent by the 8th call; the processor counts each
 * stored log's cost into Redis and both replicas refuse once the counter has reached the budget.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { waitFor } from '@llm-relay/testkit';
import { periodEnd, spendKey, type GatewayProject, type Provider, type Settings } from '@llm-relay/contracts';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const MODEL = 'budget-model';
const CALL_MICRO_USD = 125_000;
const msg = [{ role: 'user' as const, content: 'spend a little' }];

const w = new World();
const bases: string[] = [];
let prov: Provider;
let settings: Partial<Settings>;
let team: GatewayProject;
let teamKey: TestKey;
let ownKey: TestKey;
let plainKey: TestKey;

beforeAll(async () => {
  const mock = await w.startMock();
  // the mock's token counts for this request, to price one call at exactly $0.125
  const probe = await w.direct().chat.completions.create({ model: MODEL, messages: msg });
  const tokens = probe.usage!.prompt_tokens + probe.usage!.completion_tokens;
  const perMillion = (CALL_MICRO_USD / tokens);
  settings = { priceOverrides: { [MODEL]: { input: perMillion, output: perMillion } } };
  prov = provider({ baseUrl: mock.url });
  team = { id: 'proj-team-a', name: 'Team A', budget: { usd: 1, period: 'day' } };
  teamKey = makeKey({ name: 'team key', projectId: team.id });
  ownKey = makeKey({ name: 'B', budget: { usd: 0.3, period: 'month' } });
  plainKey = makeKey({ name: 'plain' });
  await w.snapshot([prov], [teamKey.record, ownKey.record, plainKey.record], settings, [team]);
  await w.startProcessor();
  for (let i = 0; i < 2; i++) bases.push(await w.startGateway());
}, 120_000);
afterAll(() => w.close());

type Result = { status: number; err?: InstanceType<typeof OpenAI.APIError> };
async function call(base: string, key: TestKey, client?: OpenAI): Promise<Result> {
  try {
    await (client ?? w.client(base, key.secret)).chat.completions.create({ model: MODEL, messages: msg });
    return { status: 200 };
  } catch (err) {
    if (err instanceof OpenAI.APIError) return { status: err.status ?? 0, err };
    throw err;
  }
}

const counter = async (scope: 'key' | 'project', id: string, period: 'day' | 'month'): Promise<number> => Number((await w.redis.get(spendKey(w.prefix, scope, id, period, Date.now()))) ?? 0);
const metric = async (base: string, name: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('budgets across two gateway replicas', () => {
  it('a $1 project budget stops calls on both replicas; the overshoot is what was in flight or not yet counted', async () => {
    const concurrency = 8;
    let admitted = 0;
    const refusals: Result[] = [];
    const others: number[] = [];
    // each worker calls until it is refused for the budget (or a cap far above any sane overshoot)
    await Promise.all(
      Array.from({ length: concurrency }, async (_, i) => {
        const base = bases[i % 2]!;
        for (;;) {
          const r = await call(base, teamKey);
          if (r.status === 200) admitted++;
          else if (r.status === 429 && r.err?.code === 'budget_exceeded') return void refusals.push(r);
          else others.push(r.status);
          if (admitted + others.length > 200) return;
        }
      }),
    );
    expect(others).toEqual([]);
    expect(refusals).toHaveLength(concurrency);
    // every admitted call is counted once, in the project's day and month counters and its key's
    await waitFor(async () => (await counter('project', team.id, 'day')) === admitted * CALL_MICRO_USD, { timeoutMs: 20_000, what: 'all admitted calls counted' });
    expect(await counter('project', team.id, 'month')).toBe(admitted * CALL_MICRO_USD);
    expect(await counter('key', teamKey.record.id, 'day')).toBe(admitted * CALL_MICRO_USD);
    const budgetCalls = Math.ceil(1_000_000 / CALL_MICRO_USD);
    const overshoot = admitted - budgetCalls;
    console.log(`[budget overshoot] ${concurrency} concurrent clients on 2 replicas: ${admitted} calls admitted for a budget of ${budgetCalls} calls, overshoot ${overshoot} calls ($${((overshoot * CALL_MICRO_USD) / 1e6).toFixed(3)})`);
    // how far over depends on the processor's lag (machine load): measured and printed, not asserted (rule 14);
    // without enforcement every client would have run to the cap and none been refused
    expect(admitted).toBeGreaterThanOrEqual(budgetCalls);
  });

  it('answers 429 insufficient_quota naming the project and its reset time, on every replica, without SDK retries', async () => {
    const reset = new Date(periodEnd('day', Date.now())).toISOString();
    for (const base of bases) {
      const before = await metric(base, 'gateway_budget_rejections_total{scope="project"}');
      // the SDK's own retries stay off for a spent budget (x-should-retry: false)
      const r = await call(base, teamKey, w.client(base, teamKey.secret, { maxRetries: 2 }));
      expect(r.status).toBe(429);
      expect(r.err!.type).toBe('insufficient_quota');
      expect(r.err!.code).toBe('budget_exceeded');
      expect(r.err!.message).toContain('project "Team A"');
      expect(r.err!.message).toContain('$1.00 per day');
      expect(r.err!.message).toContain(reset);
      expect(r.err!.headers?.get('x-relay-budget-reset')).toBe(reset);
      expect(await metric(base, 'gateway_budget_rejections_total{scope="project"}')).toBe(before + 1);
    }
  });

  it("a key's own budget stops that key at its budget and names the key", async () => {
    let admitted = 0;
    for (;;) {
      const r = await call(bases[admitted % 2]!, ownKey);
      if (r.status !== 200) {
        expect(r.status).toBe(429);
        expect(r.err!.code).toBe('budget_exceeded');
        expect(r.err!.message).toContain('relay key "B"');
        expect(r.err!.message).toContain('per month');
        expect(r.err!.headers?.get('x-relay-budget-reset')).toBe(new Date(periodEnd('month', Date.now())).toISOString());
        break;
      }
      admitted++;
      // one call at a time, each counted before the next: no overshoot
      await waitFor(async () => (await counter('key', ownKey.record.id, 'month')) === admitted * CALL_MICRO_USD, { timeoutMs: 20_000, what: 'call counted' });
      expect(admitted).toBeLessThanOrEqual(3);
    }
    // $0.25 after 2 calls is under $0.30; $0.375 after 3 is over
    expect(admitted).toBe(3);
  });

  it('a key without a budget keeps working, and its spend is counted too', async () => {
    for (const base of bases) expect((await call(base, plainKey)).status).toBe(200);
    await waitFor(async () => (await counter('key', plainKey.record.id, 'day')) === 2 * CALL_MICRO_USD, { timeoutMs: 20_000, what: 'plain key counted' });
  });

  it('a raised budget admits again at once', async () => {
    await w.snapshot([prov], [teamKey.record, ownKey.record, plainKey.record], settings, [{ ...team, budget: { usd: 100, period: 'day' } }]);
    for (const base of bases) await waitFor(async () => (await call(base, teamKey)).status === 200, { timeoutMs: 10_000, what: 'admitted under the raised budget' });
  });
});
