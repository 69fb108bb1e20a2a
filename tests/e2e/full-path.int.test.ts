/**
 * Issue 2's end-to-end path, through the README's own run command (`node scripts/relay.ts start`):
 * openai SDK → gateway → mock provider → gateway → Redis/BullMQ → log processor → SQLite → admin API.
 * Everything is a real process; the test owns its ports, Redis prefix and database file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { freePort, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess, type TempDir } from '@llm-relay/testkit';
import { Redis } from 'ioredis';

const PROXY_KEY = 'sk-e2e-proxy-key';
let relay: RunningProcess;
let dir: TempDir;
let gatewayUrl: string;
let adminUrl: string;
let prefix: string;
let token: string;

beforeAll(async () => {
  dir = tempDir('relay-e2e');
  prefix = uniquePrefix('e2e');
  const [gatewayPort, adminPort, processorPort, mockPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  adminUrl = `http://127.0.0.1:${adminPort}`;
  relay = await startProcess({
    name: 'relay',
    script: 'scripts/relay.ts',
    args: ['start'],
    env: {
      GATEWAY_PORT: String(gatewayPort),
      ADMIN_PORT: String(adminPort),
      PROCESSOR_PORT: String(processorPort),
      MOCK_PORT: String(mockPort),
      TARGET_BASE_URL: '',
      TARGET_API_KEY: '',
      PROXY_KEY,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: 'e2e-password',
      JWT_SECRET: 'e2e-jwt-secret-that-is-long-enough-0123456789',
      DATABASE_URL: `sqlite:${dir.path}/relay.db`,
      REDIS_PREFIX: prefix,
      JOURNAL_DIR: `${dir.path}/journal`,
    },
    readyUrl: `${adminUrl}/healthz`,
    readyTimeoutMs: 40_000,
  });
  await waitFor(async () => (await fetch(`${gatewayUrl}/readyz`)).ok, { timeoutMs: 20_000, what: 'gateway ready' });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${processorPort}/healthz`)).ok, { timeoutMs: 20_000, what: 'processor ready' });
  const login = await fetch(`${adminUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'e2e-password' }),
  });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { token: string }).token;
});

afterAll(async () => {
  await relay?.stop(15_000);
  const redis = new Redis();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  dir?.remove();
});

async function admin<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${adminUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as T };
}

interface LogItem {
  id: string;
  stream: boolean;
  outcome: string;
  status: number;
}
interface StoredLog extends LogItem {
  response: { body: { choices: { message: { content: string }; finish_reason: string }[]; usage?: { total_tokens: number } } };
  usage: { total: number | null; source: string };
}

async function waitForLog(requestId: string): Promise<StoredLog> {
  return waitFor(
    async () => {
      const r = await admin<StoredLog>(`/admin/logs/${requestId}`);
      return r.status === 200 ? r.body : null;
    },
    { timeoutMs: 10_000, what: `log ${requestId}` },
  );
}

describe('the whole relay, started by the README run command', () => {
  it('relays a non-streaming chat completion and stores exactly what the client received', async () => {
    const client = new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey: PROXY_KEY });
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: '你好！ non-streaming' }] })
      .withResponse();
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const answer = data.choices[0]!.message.content;
    expect(answer).toContain('non-streaming');

    const log = await waitForLog(requestId!);
    expect(log.stream).toBe(false);
    expect(log.outcome).toBe('ok');
    expect(log.response.body.choices[0]!.message.content).toBe(answer);
    expect(log.usage.total).toBe(data.usage!.total_tokens);

    const list = await admin<{ items: LogItem[] }>('/admin/logs?limit=10');
    expect(list.body.items.map((i) => i.id)).toContain(requestId);
  });

  it('relays a streaming chat completion and stores the reassembled answer', async () => {
    const client = new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey: PROXY_KEY });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hello streaming' }] })
      .withResponse();
    let received = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(received).toContain('hello streaming');
    const log = await waitForLog(response.headers.get('x-request-id')!);
    expect(log.stream).toBe(true);
    expect(log.response.body.choices[0]!.message.content).toBe(received);
    expect(log.response.body.choices[0]!.finish_reason).toBe(finish);
    // usage was recorded although the client did not ask for it (the gateway injects and strips it)
    expect(log.usage.source).toBe('injected');
    expect(log.usage.total).toBeGreaterThan(0);
  });

  it('rejects a wrong relay key in the OpenAI error shape', async () => {
    const res = await fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(401);
    // the same shape and code OpenAI itself answers for a wrong key
    const body = (await res.json()) as { error: { message: string; type: string; code: string; param: null } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null });
    expect(body.error.message).toMatch(/API key/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
