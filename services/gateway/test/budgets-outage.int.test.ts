/**
 * Budgets while Redis does not answer (a Redis of the test's own, frozen): the check fails open and says so
 * in /metrics, except for a budget this replica already saw spent in the current period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { OwnRedis } from '@llm-relay/testkit';
import { spendKey } from '@llm-relay/contracts';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const own = new OwnRedis('gw-budget-outage');
let w: World;
let base: string;
let spent: TestKey;
let fresh: TestKey;

beforeAll(async () => {
  await own.start();
  w = new World(own.url);
  const mock = await w.startMock();
  spent = makeKey({ name: 'spent', budget: { usd: 1, period: 'day' } });
  fresh = makeKey({ name: 'fresh', budget: { usd: 1, period: 'day' } });
  await w.snapshot([provider({ baseUrl: mock.url })], [spent.record, fresh.record]);
  base = await w.startGateway();
});
afterAll(async () => {
  own.thaw();
  await w.close();
  await own.remove();
});

async function status(key: TestKey): Promise<number> {
  try {
    await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    return 200;
  } catch (err) {
    if (err instanceof OpenAI.APIError) return err.status ?? 0;
    throw err;
  }
}
const metric = async (name: string): Promise<number> => {
  const line = (await (await fetch(`${base}/metrics`)).text()).split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('budgets while Redis does not answer', () => {
  it('admits unchecked (counted), but keeps refusing a budget this replica saw spent', async () => {
    // the processor's counter says $1.00 spent of $1.00
    await w.redis.set(spendKey(w.prefix, 'key', spent.record.id, 'day', Date.now()), 1_000_000);
    expect(await status(spent)).toBe(429);
    expect(await status(fresh)).toBe(200);
    expect(await metric('gateway_budget_unchecked_total')).toBe(0);

    own.freeze();
    expect(await status(spent)).toBe(429);
    expect(await status(fresh)).toBe(200);
    expect(await metric('gateway_budget_unchecked_total')).toBe(1);
    own.thaw();
  });
});
