import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { PromptFamily, PromptList } from '@llm-relay/contracts';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { ADMIN, databaseUrl, REDIS_URL } from './helper.ts';

// Prompt families and versions discovered from real traffic: the openai SDK calls a real gateway, the real
// processor detects the prompts, admin serves them (on SQLite, and on FerretDB in the "ferretdb" project).
const PROXY_KEY = 'sk-proxy-prompts-key';
let stack: RelayStack;
let token: string;

beforeAll(async () => {
  stack = await startRelayStack({ label: 'prompts', redisUrl: REDIS_URL, databaseUrl, proxyKey: PROXY_KEY, credentials: ADMIN, gatewayId: 'gw-prompts' });
  token = await stack.login();
}, 90_000);
afterAll(() => stack?.stop());

const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${stack.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
};

const support = (date: string, order: string, email: string) =>
  `You are Aria, the support assistant for Northwind Outfitters. Today is ${date}. The customer's order is ${order}, account ${email}. ` +
  'Answer questions about shipping, returns and exchanges politely and concisely. Escalate refunds above $200 to a human agent. Never promise delivery dates you cannot verify.';

describe('GET/PATCH /admin/prompts from real traffic', () => {
  it('folds filled templates into one version, makes a rewording v2 and an unrelated prompt another family; scores, x-relay-prompt, audited renames', async () => {
    const client = new OpenAI({ apiKey: PROXY_KEY, baseURL: `${stack.gatewayUrl}/v1`, maxRetries: 0 });
    const chat = async (system: string, stream = false) => {
      const messages = [
        { role: 'system' as const, content: system },
        { role: 'user' as const, content: 'Where is my parcel?' },
      ];
      if (!stream) return void (await client.chat.completions.create({ model: 'mock-model', messages }));
      for await (const _ of await client.chat.completions.create({ model: 'mock-model', messages, stream: true })) void _;
    };
    await chat(support('2026-12-03', 'ORD-88412-KX', 'jane@example.com'));
    await chat(support('December 1, 2026', 'ORD-10293-QA', 'li.wei@mail.example.cn'), true);
    await chat(support('2026/11/28', 'ORD-55555-ZZ', 'bob@corp.example.org'));
    await chat(support('2026-12-04', 'ORD-1-AB', 'x@example.com').replace('politely and concisely', 'politely and concisely, in the customer’s language'), true);
    // the Responses API's instructions are a prompt too
    await client.responses.create({ model: 'mock-model', instructions: '你是一位诗人。请根据用户给出的主题写一首七言绝句，押韵工整，并在诗后用一句话解释创作思路。', input: '秋天' });

    let last: PromptList | null = null;
    const list = await waitFor(
      async () => {
        last = (await api<PromptList>('GET', '/admin/prompts')).body;
        // first/last seen are written beside the roll-ups that hold the counts, not with them: wait for both
        return last.items.length === 2 && last.items.reduce((n, f) => n + f.count, 0) === 5 && last.items.every((f) => f.firstAt !== null && f.lastAt !== null) ? last : null;
      },
      { what: 'two prompt families holding five exchanges', timeoutMs: 60_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last answer: ${JSON.stringify(last)}`);
    });
    const aria = list.items.find((f) => f.name.startsWith('You are Aria'))!;
    expect(aria).toMatchObject({ source: 'detected', versionCount: 2, count: 4, errorRate: 0, scoreAvg: null });
    expect(aria.tokens).toBeGreaterThan(0);
    expect(aria.p50).toEqual(expect.any(Number));
    expect(aria.firstAt).toBeLessThanOrEqual(aria.lastAt!);
    const poem = list.items.find((f) => f !== aria)!;
    expect(poem).toMatchObject({ versionCount: 1, count: 1 });
    expect(poem.name.startsWith('你是一位诗人')).toBe(true);

    const { body: detail } = await api<PromptFamily>('GET', `/admin/prompts/${aria.id}`);
    expect(detail.versions.map((v) => [v.label, v.count])).toEqual([
      ['v1', 3],
      ['v2', 1],
    ]);
    expect(detail.versions[0]!.text).toContain("Today is {{date}}. The customer's order is {{id}}, account {{email}}.");
    expect(detail.versions[1]!.text).toContain('in the customer’s language');

    // pages: newest first, one at a time
    const first = await api<PromptList>('GET', '/admin/prompts?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await api<PromptList>('GET', `/admin/prompts?limit=1&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect([first.body.items[0]!.id, second.body.items[0]!.id].sort()).toEqual([aria.id, poem.id].sort());
    expect(second.body.nextCursor).toBeNull();
    expect(list.items.map((f) => f.id)).toEqual([first.body.items[0]!.id, second.body.items[0]!.id]);

    // feedback on two of the v1 exchanges: the version's and the family's average score
    const scored: string[] = [];
    for (const [i, value] of [0.2, 0.8].entries()) {
      const { response } = await client.chat.completions
        .create({ model: 'mock-model', messages: [{ role: 'system', content: support(`2026-12-1${i}`, `ORD-7${i}7${i}-SC`, 's@example.com') }, { role: 'user', content: 'rate me' }] })
        .withResponse();
      const id = response.headers.get('x-relay-log-id')!;
      scored.push(id);
      await client.post('/relay/feedback', { body: { log_id: id, value } });
    }
    const withScores = await waitFor(
      async () => {
        const { body } = await api<PromptFamily>('GET', `/admin/prompts/${aria.id}`);
        return body.versions[0]!.scoreAvg !== null && body.versions[0]!.count === 5 && Math.abs(body.versions[0]!.scoreAvg - 0.5) < 1e-9 ? body : null;
      },
      { what: 'the scores in the version figures', timeoutMs: 60_000 },
    );
    expect(withScores.versions[1]!.scoreAvg).toBeNull();
    expect((await api<PromptList>('GET', '/admin/prompts')).body.items.find((f) => f.id === aria.id)!.scoreAvg).toBeCloseTo(0.5, 9);

    // an explicit x-relay-prompt wins over detection: its own family, the version label as given
    await client.chat.completions.create(
      { model: 'mock-model', messages: [{ role: 'system', content: support('2026-12-20', 'ORD-9-XY', 'e@example.com') }, { role: 'user', content: 'hi' }] },
      { headers: { 'x-relay-prompt': 'checkout-helper@2026-12' } },
    );
    const explicit = await waitFor(async () => (await api<PromptList>('GET', '/admin/prompts')).body.items.find((f) => f.name === 'checkout-helper' && f.count === 1) ?? null, {
      what: 'the explicit family',
      timeoutMs: 60_000,
    });
    expect(explicit).toMatchObject({ source: 'explicit', versionCount: 1 });
    expect((await api<PromptFamily>('GET', `/admin/prompts/${explicit.id}`)).body.versions.map((v) => v.label)).toEqual(['2026-12']);
    expect((await api<PromptFamily>('GET', `/admin/prompts/${aria.id}`)).body.versions[0]!.count).toBe(5);

    const renamed = await api<PromptFamily>('PATCH', `/admin/prompts/${aria.id}`, { name: 'Support assistant' });
    expect(renamed).toMatchObject({ status: 200, body: { id: aria.id, name: 'Support assistant' } });
    expect((await api<PromptList>('GET', '/admin/prompts')).body.items.find((f) => f.id === aria.id)!.name).toBe('Support assistant');
    // the stats breakdown by prompt names families and versions, not their ids
    type Breakdown = { breakdown: { value: string; label?: string; count: number }[] };
    const byFamily = (await api<Breakdown>('GET', `/admin/stats?dim=prompt&from=${Date.now() - 3_600_000}`)).body.breakdown;
    expect(byFamily.find((r) => r.value === aria.id)).toMatchObject({ label: 'Support assistant', count: 6 });
    const byVersion = (await api<Breakdown>('GET', `/admin/stats?dim=promptVersion&from=${Date.now() - 3_600_000}`)).body.breakdown;
    expect(byVersion.find((r) => r.value === detail.versions[1]!.id)).toMatchObject({ label: 'Support assistant · v2', count: 1 });
    const { body: auditLog } = await api<{ items: { action: string; target: string; details?: Record<string, unknown> }[] }>('GET', '/admin/audit?limit=20');
    expect(auditLog.items.find((e) => e.action === 'prompt.rename')).toMatchObject({ target: aria.id, details: { from: aria.name, to: 'Support assistant' } });

    expect((await api('PATCH', `/admin/prompts/${aria.id}`, { name: '  ' })).status).toBe(400);
    const missing = await api<{ error: { code: string } }>('GET', '/admin/prompts/pf_nope');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'prompt_not_found' } } });
  });
});
