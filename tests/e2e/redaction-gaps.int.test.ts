/**
 * Redaction on: personal data a client can put where the redactor used to not look — nested deeper than
 * 256 levels, in object keys, in long base64-alphabet text, after a data URL's payload, in full-width
 * characters, in the user-agent, in the query string, in attribution (x-relay-* headers, the body's `user` and
 * `metadata`) and in a feedback comment — reaches neither the stored log nor the live stream.
 * Real gateway, processor and admin processes; the live stream is read through admin's WebSocket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
let stack: RelayStack;
let token: string;
let ws: WebSocket;
const live: string[] = [];

beforeAll(async () => {
  stack = await startRelayStack({ label: 'redact-gaps', redisUrl: REDIS_URL, env: { REDACT_LOGS: 'true' } });
  token = await stack.login();
  const { ticket } = (await (await fetch(`${stack.adminUrl}/admin/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { ticket: string };
  ws = new WebSocket(`${stack.adminUrl.replace('http', 'ws')}/admin/live?ticket=${ticket}`);
  ws.addEventListener('message', (e) => live.push(String(e.data)));
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
}, 90_000);
afterAll(async () => {
  ws?.close();
  await stack?.stop();
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).toString('base64');
const SECRET_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';

async function send(opts: { path?: string; userAgent?: string; headers?: Record<string, string>; body: unknown }): Promise<string> {
  const res = await fetch(`${stack.gatewayUrl}${opts.path ?? '/v1/chat/completions'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.proxyKey}`, 'content-type': 'application/json', ...(opts.userAgent ? { 'user-agent': opts.userAgent } : {}), ...opts.headers },
    body: JSON.stringify(opts.body),
  });
  await res.arrayBuffer();
  const id = res.headers.get('x-request-id');
  expect(id).toBeTruthy();
  return id!;
}

async function storedAndLive(id: string): Promise<{ stored: string; liveEntry: string }> {
  const stored = await waitFor(
    async () => {
      const res = await fetch(`${stack.adminUrl}/admin/logs/${id}`, { headers: { authorization: `Bearer ${token}` } });
      return res.status === 200 ? await res.text() : null;
    },
    { timeoutMs: 20_000, what: `stored log ${id}` },
  );
  const liveEntry = await waitFor(() => live.find((m) => m.includes(id)) ?? null, { timeoutMs: 10_000, what: `live entry ${id}` });
  return { stored, liveEntry };
}

function expectNone(texts: string[], pii: string[]): void {
  for (const text of texts) for (const p of pii) expect(text, `"${p}" is still there`).not.toContain(p);
}

describe('redaction gaps are closed in the stored log and the live stream', () => {
  it('object keys, long base64-alphabet text, text after a data URL payload, full-width characters, the user-agent and the query string', async () => {
    const longPath = `/files/${`+8613800138000/4111111111111111/${SECRET_KEY}/`.repeat(16)}`;
    expect(longPath.length).toBeGreaterThanOrEqual(1024);
    const id = await send({
      path: '/v1/chat/completions?email=qa.lead%40example.com&phone=13700137000',
      userAgent: 'support-bot/1.0 (ua.owner@example.com; +8613912345678)',
      body: {
        model: 'gpt-4o-mini',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: `手机１３８００１３８０００，邮箱ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ ${longPath}` },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}AAAA from dataurl.tail@example.com` } },
            ],
          },
        ],
        x_lookup: { 'holder.key@example.com': { '13600136000': 'value' } },
      },
    });
    const { stored, liveEntry } = await storedAndLive(id);
    const pii = ['13800138000', '１３８００１３８０００', 'ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ', '4111111111111111', SECRET_KEY, 'dataurl.tail@example.com', 'holder.key@example.com', '13600136000', 'qa.lead', '13700137000', 'ua.owner@example.com', '13912345678'];
    expectNone([stored, liveEntry], pii);
    const log = JSON.parse(stored) as { path: string; userAgent: string; request: { body: { x_lookup: Record<string, unknown> } }; redactions: Record<string, number> };
    expect(log.path).toBe('/v1/chat/completions?email=[EMAIL]&phone=[PHONE]');
    expect(log.userAgent).toBe('support-bot/1.0 ([EMAIL]; [PHONE])');
    expect(log.request.body.x_lookup).toEqual({ '[EMAIL]': { '[PHONE]': 'value' } });
    expect(log.redactions.card).toBeGreaterThanOrEqual(16);
    // the image itself is kept
    expect(stored).toContain(`data:image/png;base64,${PNG}AAAA from [EMAIL]`);
    expect(JSON.parse(liveEntry)).toMatchObject({ type: 'log', log: { id, path: log.path, userAgent: log.userAgent } });
  });

  it('values nested deeper than 256 levels', async () => {
    let deep: unknown = { note: 'reach me at deep.owner@example.com or 13500135000' };
    for (let i = 0; i < 300; i++) deep = { d: deep };
    const id = await send({ body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], x_deep: deep } });
    const { stored, liveEntry } = await storedAndLive(id);
    expectNone([stored, liveEntry], ['deep.owner@example.com', '13500135000']);
  });

  it('attribution values and a feedback comment', async () => {
    const id = await send({
      headers: { 'x-relay-session': 'support:sess.owner@example.com', 'x-relay-tags': 'vip,tag.owner@example.com', 'x-relay-property-contact': 'call 13200132000' },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], user: 'end.user@example.com', metadata: { account: 'acct.holder@example.com' } },
    });
    const feedback = await fetch(`${stack.gatewayUrl}/v1/relay/feedback`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.proxyKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ log_id: id, value: 1, comment: 'great, mail me at fan.mail@example.com' }),
    });
    expect(feedback.status).toBe(202);
    const { liveEntry } = await storedAndLive(id);
    const stored = await waitFor(
      async () => {
        const text = await (await fetch(`${stack.adminUrl}/admin/logs/${id}`, { headers: { authorization: `Bearer ${token}` } })).text();
        return text.includes('"comment"') ? text : null;
      },
      { timeoutMs: 20_000, what: `the feedback on log ${id}` },
    );
    expectNone([stored, liveEntry], ['sess.owner@example.com', 'tag.owner@example.com', '13200132000', 'end.user@example.com', 'acct.holder@example.com', 'fan.mail@example.com']);
    const log = JSON.parse(stored) as { attribution: { user: string; session: string; tags: string[]; properties: Record<string, string> }; scores: Record<string, { comment?: string }> };
    expect(log.attribution).toEqual({ user: '[EMAIL]', session: 'support:[EMAIL]', tags: ['vip', '[EMAIL]'], properties: { contact: 'call [PHONE]', account: '[EMAIL]' } });
    expect(log.scores.score?.comment).toBe('great, mail me at [EMAIL]');
  });
});
