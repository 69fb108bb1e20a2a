/**
 * A key's tokens-per-minute count reads the provider's usage by the stored log's rules (contracts/usage.ts);
 * an answer without usage is estimated from its text instead of counting 0, so TPM keeps counting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

const w = new World();
const LIMIT = 1_000_000;
let base: string;
const keys = [makeKey({ limits: { tpm: LIMIT } }), makeKey({ limits: { tpm: LIMIT } }), makeKey({ limits: { tpm: LIMIT } })];

beforeAll(async () => {
  const mock = await w.startMock();
  await w.snapshot([provider({ baseUrl: mock.url, models: [{ match: 'gpt-*' }] })], keys.map((k) => k.record));
  base = await w.startGateway();
});
afterAll(() => w.close());

/** What the key's TPM limit has left, as a call that uses no tokens (a pass-through GET) is told. */
async function remaining(key: TestKey): Promise<number> {
  const res = await fetch(`${base}/v1/files`, { headers: { authorization: `Bearer ${key.secret}` } });
  await res.arrayBuffer();
  return Number(res.headers.get('x-ratelimit-remaining-tokens'));
}

async function counted(key: TestKey): Promise<number> {
  const left = await waitFor(async () => {
    const n = await remaining(key);
    return n < LIMIT ? n : null;
  }, { what: 'tokens counted' });
  return LIMIT - left;
}

const prompt = 'count these characters '.repeat(200); // 4600 characters

describe('TPM counting', () => {
  it('counts the usage the provider reported', async () => {
    const key = keys[0]!;
    expect(await remaining(key)).toBe(LIMIT);
    const r = await w.client(base, key.secret).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }] });
    expect(r.usage!.total_tokens).toBeGreaterThan(0);
    expect(await counted(key)).toBe(r.usage!.total_tokens);
  });

  for (const stream of [false, true]) {
    it(`estimates from the text when a ${stream ? 'streamed' : 'JSON'} answer carries no usage`, async () => {
      const key = keys[stream ? 2 : 1]!;
      const headers = { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-mock-no-usage': '1' };
      const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers, body: JSON.stringify({ model: 'gpt-4o-mini', stream, messages: [{ role: 'user', content: prompt }] }) });
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).not.toContain('"usage":{');
      const used = await counted(key);
      // the prompt alone is 4600 characters: at four a token at least 1150, and less than all bytes sent and read
      expect(used).toBeGreaterThanOrEqual(Math.ceil(prompt.length / 4));
      expect(used).toBeLessThan(Math.ceil((prompt.length + text.length) / 4));
    });
  }
});
