import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { World, type TestKey } from './helpers.ts';

/**
 * A restart without a prior drain (what `docker compose restart` does): SIGTERM while a client keeps
 * sending. Every request must get an answer — a normal one, or the relay's own 503 in the OpenAI shape
 * with an x-request-id — and every answer must leave exactly one exchange event.
 */
const w = new World();
let base: string;
let port: number;
let key: TestKey;
const CHAT = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'during restart' }] });

beforeAll(async () => {
  ({ base, key } = await w.startWithMock({}, { SHUTDOWN_DRAIN_MS: '3000' }));
  port = Number(new URL(base).port);
});
afterAll(() => w.close());

interface Answer {
  status: number;
  requestId: string | null;
  body: string;
}

async function chat(): Promise<Answer> {
  const r = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: CHAT });
  return { status: r.status, requestId: r.headers.get('x-request-id'), body: await r.text() };
}

/** A connection whose request has begun (so the listener's close neither reaps it nor waits idle on it). */
function beginRequest(): Promise<{ socket: Socket; finish: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n`);
      resolve({
        socket,
        finish: () =>
          new Promise<string>((res) => {
            let raw = '';
            socket.on('data', (d: Buffer) => (raw += d.toString()));
            socket.on('close', () => res(raw));
            socket.write(`authorization: Bearer ${key.secret}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(CHAT)}\r\n\r\n${CHAT}`);
          }),
      });
    });
    socket.once('error', reject);
  });
}

function expectOpenAI503(a: Answer): void {
  expect(a.requestId).toMatch(/^[0-9a-f-]{36}$/);
  const body = JSON.parse(a.body) as { error: Record<string, unknown> };
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(body.error.code).toBe('gateway_shutting_down');
}

describe('restart without a prior drain', () => {
  it('SIGTERM under continuous traffic: every request answered normally or with an OpenAI 503, one event per answer', async () => {
    const answers: Answer[] = [];
    const failures: string[] = [];
    let sending = true;
    const worker = async (): Promise<void> => {
      while (sending) {
        try {
          answers.push(await chat());
        } catch (err) {
          failures.push(String((err as Error & { cause?: Error }).cause?.message ?? err));
        }
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    await waitFor(() => answers.length >= 20, { what: 'traffic before the restart' });

    // a stream that outlives the drain, and a request already begun on its connection when the listener closes
    const stream = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'outlive the drain' }] }, { headers: { 'x-mock-chunks': '60', 'x-mock-interval-ms': '50' } });
    const streamIt = stream[Symbol.asyncIterator]();
    expect((await streamIt.next()).done).toBe(false);
    const begun = await beginRequest();

    const beforeTerm = answers.length;
    const exited = w.gateways[0]!.stop(30_000);
    // a load balancer stops sending once readiness fails, a moment later: until then the gateway must still serve
    await waitFor(async () => (await fetch(`${base}/readyz`).then((r) => r.status).catch(() => 0)) === 503, { intervalMs: 20, what: '/readyz 503 while draining' });
    const notReadyAt = answers.length;
    await waitFor(() => answers.length >= notReadyAt + 10, { what: 'requests served while not ready' });
    sending = false;
    await Promise.all(workers);
    expect(failures).toEqual([]);

    // the listener closes after the drain; the begun request then gets the relay's own 503
    await waitFor(async () => (await fetch(`${base}/healthz`).then(() => false).catch(() => true)), { intervalMs: 20, what: 'listener closed' });
    const raw = await begun.finish();
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503/);
    const late: Answer = { status: 503, requestId: /x-request-id: (\S+)/i.exec(head)?.[1] ?? null, body };
    expectOpenAI503(late);

    let text = '';
    for (let r = await streamIt.next(); !r.done; r = await streamIt.next()) text += r.value.choices[0]?.delta?.content ?? '';
    expect(text).toContain('outlive the drain');
    expect(await exited).toBe(0);

    for (const a of answers) {
      expect(a.requestId).toMatch(/^[0-9a-f-]{36}$/);
      if (a.status === 503) expectOpenAI503(a);
      else expect(a.status).toBe(200);
    }
    const afterTerm = answers.slice(beforeTerm);
    expect(afterTerm.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(10);

    const events = await w.events();
    // the workers' answers, the stream, and the late 503
    expect(events).toHaveLength(answers.length + 2);
    const ids = new Set(events.map((e) => e.id));
    for (const a of [...answers, late]) expect(ids.has(a.requestId!)).toBe(true);
    const lateEvent = events.find((e) => e.id === late.requestId)!;
    expect(lateEvent.response.status).toBe(503);
    expect(lateEvent.key?.id).toBe(key.record.id);
  });
});
