import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { checkDashboard, exportedNames } from './dashboard-check.ts';

// The dashboard's queries against what a real gateway, log processor and admin export on /metrics after
// some traffic: a name that no service declares would be an empty panel in Grafana.
describe('Grafana dashboard vs /metrics', () => {
  let stack: RelayStack;
  beforeAll(async () => {
    stack = await startRelayStack({ label: 'grafana' });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('every metric the dashboard queries is exported by a running service', async () => {
    const { errors, metrics } = checkDashboard(readFileSync(new URL('./llm-relay.json', import.meta.url), 'utf8'));
    expect(errors).toEqual([]);
    expect(metrics.size).toBeGreaterThan(10);

    const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'stream' }], stream: true });
    for await (const _ of stream);
    await client.embeddings.create({ model: 'text-embedding-3-small', input: 'vector' });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fail' }] }, { headers: { 'x-mock-status': '400' } }).catch(() => null);
    await fetch(`${stack.adminUrl}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"admin","password":"wrong"}' });
    await stack.login();

    const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();
    // tokens and cost are counted when the logs are stored
    const processorText = await waitFor(async () => {
      const t = await scrape(stack.processorUrl);
      return /^llmrelay_processor_tokens_total\{model="gpt-4o-mini",type="input"\} [1-9]/m.test(t) ? t : null;
    }, { what: 'stored logs counted on the processor', timeoutMs: 30_000 });
    expect(processorText).toMatch(/^llmrelay_processor_cost_usd_total\{model="gpt-4o-mini"\} [0-9.e-]+$/m);
    expect(processorText).toMatch(/^llmrelay_processor_queue_jobs\{state="waiting"\} \d+/m);

    const exported = new Set([...exportedNames(await scrape(stack.gatewayUrl)), ...exportedNames(processorText), ...exportedNames(await scrape(stack.adminUrl))]);
    const missing = [...metrics].filter((m) => !exported.has(m));
    expect(missing).toEqual([]);
  });
});
