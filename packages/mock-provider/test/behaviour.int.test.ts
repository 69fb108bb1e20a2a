import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../src/index.ts';

let mock: MockProvider;
let client: OpenAI;
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

beforeAll(async () => {
  mock = await createMockProvider();
  client = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(() => mock.close());

async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 200;
  } catch (err) {
    return err instanceof OpenAI.APIError ? (err.status ?? 'no status') : String(err);
  }
}

describe('errors on demand', () => {
  it('fails with x-mock-status in the OpenAI error shape; 429 carries retry-after', async () => {
    const err = await client.chat.completions.create(body, { headers: { 'x-mock-status': '429', 'x-mock-retry-after': '7' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.headers.get('retry-after')).toBe('7');
    expect(e.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null });
    expect(await statusOf(client.embeddings.create({ model: 'e', input: 'x' }, { headers: { 'x-mock-status': '500' } }))).toBe(500);
    expect(await statusOf(client.models.list({ headers: { 'x-mock-status': '401' } }))).toBe(401);
  });

  it('fails only the first N requests of a fail key, then succeeds (what a retry relies on)', async () => {
    const headers = { 'x-mock-fail-times': '2', 'x-mock-fail-key': `k-${Math.random()}`, 'x-mock-status': '503' };
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await statusOf(client.chat.completions.create(body, { headers })));
    expect(got).toEqual([503, 503, 200, 200]);
    // the SDK's own retries see the same sequence
    const retrying = new OpenAI({ baseURL: mock.url, apiKey: 'sk-test', maxRetries: 2 });
    const r = await retrying.chat.completions.create(body, { headers: { ...headers, 'x-mock-fail-key': `k-${Math.random()}`, 'x-mock-retry-after': '0' } });
    expect(r.choices[0]!.message.content).toMatch(/^Hello!/);
  });

  it('never answers with x-mock-hang (the caller times out)', async () => {
    const err = await client.chat.completions.create(body, { headers: { 'x-mock-hang': '1' }, timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it('waits x-mock-delay-ms before the headers (the caller can time out on it)', async () => {
    const err = await client.chat.completions.create(body, { headers: { 'x-mock-delay-ms': '10000' }, timeout: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });
});

describe('stream behaviour', () => {
  it('cuts the socket after N chunks: the client sees what came, then an error, never [DONE]', async () => {
    const stream = await client.chat.completions.create({ ...body, stream: true }, { headers: { 'x-mock-cut-after': '3', 'x-mock-chunks': '10', 'x-mock-interval-ms': '1' } });
    let n = 0;
    const err = await (async () => {
      for await (const _ of stream) n++;
    })().catch((e: unknown) => e);
    expect(n).toBe(3);
    expect(err).toBeInstanceOf(Error);
  });

  it('completes a paced stream with a silence and gzip intact', async () => {
    const stream = await client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-mock-chunks': '6', 'x-mock-interval-ms': '1', 'x-mock-silence-ms': '30', 'x-mock-gzip': '1' } },
    );
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks).toHaveLength(1 + 6 + 1 + 1);
    expect(chunks.at(-1)!.usage).not.toBeNull();
  });

  it('gzips a plain answer with content-encoding', async () => {
    const res = await fetch(`${mock.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mock-gzip': '1' }, body: JSON.stringify(body) });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion');
  });
});

describe('headers and the recorder', () => {
  it('sends rate-limit headers on every answer', async () => {
    const { response } = await client.chat.completions.create(body).withResponse();
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('9999');
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBeTruthy();
    expect(response.headers.get('x-request-id')).toMatch(/^req_mock_/);
  });

  it('serves recorded requests over HTTP and clears them', async () => {
    await client.chat.completions.create(body, { headers: { 'x-trace': 'abc' } });
    const origin = mock.url.replace(/\/v1$/, '');
    const recorded = (await (await fetch(`${origin}/__mock/requests`)).json()) as { headers: Record<string, string>; bodyBytes: number }[];
    expect(recorded.at(-1)!.headers['x-trace']).toBe('abc');
    expect(recorded.at(-1)!.bodyBytes).toBe(JSON.stringify(body).length);
    expect((await fetch(`${origin}/__mock/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(await (await fetch(`${origin}/__mock/requests`)).json()).toEqual([]);
  });

  it('keeps only the last recordLimit requests', async () => {
    const small = await createMockProvider({ defaults: { recordLimit: 3 } });
    try {
      for (let i = 0; i < 5; i++) await fetch(`${small.url}/models?i=${i}`);
      expect(small.requests.map((r) => r.query)).toEqual(['i=2', 'i=3', 'i=4']);
    } finally {
      await small.close();
    }
  });
});
