import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import OpenAI from 'openai';
import WebSocket from 'ws';
import type { LiveServerMessage } from '@llm-relay/contracts';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { ADMIN, databaseUrl, REDIS_URL } from './helper.ts';

// The whole path with admin in it: keys made here work at a real gateway and stop working when disabled;
// a call through the gateway is stored by the real processor and reaches a live WebSocket client.
const PROXY_KEY = 'sk-proxy-e2e-key';
let stack: RelayStack;
let adminUrl: string;
let gatewayUrl: string;
let token: string;

beforeAll(async () => {
  stack = await startRelayStack({ label: 'e2e', redisUrl: REDIS_URL, databaseUrl, proxyKey: PROXY_KEY, credentials: ADMIN, gatewayId: 'gw-e2e', env: { HEARTBEAT_MS: '200' } });
  ({ adminUrl, gatewayUrl } = stack);
  token = await stack.login();
}, 90_000);
afterAll(() => stack?.stop());

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${adminUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
};
const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gatewayUrl}/v1`, maxRetries: 0 });
const chatStatus = async (apiKey: string): Promise<number> => {
  try {
    await client(apiKey).chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'ping' }] });
    return 200;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
};

describe('admin with a real gateway and processor', () => {
  it('a key created in admin works at the gateway, its call is logged live, and disabling or rotating it takes effect', async () => {
    const { body: created } = await api('POST', '/admin/api-keys', { name: 'e2e team' });
    await waitFor(async () => (await chatStatus(created.secret)) === 200, { what: 'new key accepted by the gateway' });

    const { ticket } = (await api('POST', '/admin/ws-ticket')).body;
    const ws = new WebSocket(`${adminUrl.replace('http', 'ws')}/admin/live?ticket=${ticket}&keyId=${created.key.id}`);
    const inbox: LiveServerMessage[] = [];
    ws.on('message', (d) => inbox.push(JSON.parse(String(d))));
    await once(ws, 'open');
    await waitFor(() => inbox.some((m) => m.type === 'hello'), { what: 'hello' });

    const answer = await client(created.secret).chat.completions.create({ model: 'mock-model', messages: [{ role: 'user', content: 'hello through the relay' }] });
    const live = await waitFor(() => inbox.find((m): m is Extract<LiveServerMessage, { type: 'log' }> => m.type === 'log' && m.log.requestPreview.includes('hello through the relay')), { what: 'the log on the live socket', timeoutMs: 15_000 });
    expect(live.log.key?.id).toBe(created.key.id);
    ws.close();

    const detail = (await api('GET', `/admin/logs/${live.log.id}`)).body;
    expect((detail.response.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(answer.choices[0]!.message.content);

    // the processor counts the call against the key; the list shows it
    await waitFor(async () => {
      const k = (await api('GET', '/admin/api-keys')).body.items.find((i: { id: string }) => i.id === created.key.id);
      return k.lastUsedAt !== null && k.usage.requests >= 2;
    }, { what: 'last used and usage of the key' });

    const stats = (await api('GET', `/admin/stats?dim=key&from=${Date.now() - 3_600_000}`)).body;
    const row = stats.breakdown.find((b: { value: string }) => b.value === created.key.id);
    expect(row).toMatchObject({ label: `e2e team (${created.key.prefix})`, errors: 0 });
    expect(row.count).toBeGreaterThanOrEqual(2);
    expect(stats.series.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBeGreaterThanOrEqual(2);

    const replay = await api('POST', `/admin/logs/${live.log.id}/replay`, { apiKey: PROXY_KEY });
    expect(replay.body).toMatchObject({ status: 200, body: { object: 'chat.completion' } });

    await api('PATCH', `/admin/api-keys/${created.key.id}`, { status: 'disabled' });
    await waitFor(async () => (await chatStatus(created.secret)) === 401, { what: 'disabled key refused by the gateway' });

    await api('PATCH', `/admin/api-keys/${created.key.id}`, { status: 'active' });
    const { body: rotated } = await api('POST', `/admin/api-keys/${created.key.id}/rotate`);
    await waitFor(async () => (await chatStatus(rotated.secret)) === 200, { what: 'rotated key accepted' });
    expect(await chatStatus(created.secret)).toBe(401);

    const system = (await api('GET', '/admin/system')).body;
    expect(system.gateways.map((g: { id: string }) => g.id)).toContain('gw-e2e');
  });
});
