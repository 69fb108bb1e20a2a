import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { createMockProvider, type MockProvider } from '@llm-relay/mock-provider';
import { World, makeKey, provider, type TestKey } from './helpers.ts';

// The OpenAI API accepts responses.create({}) (a stored prompt may supply the model), and so does the spec
// the SDK's generated tests run against: the relay forwards such a call instead of refusing it.
const w = new World();
let second: MockProvider;
let base: string;
let plain: TestKey;
let pinned: TestKey;
let restricted: TestKey;

beforeAll(async () => {
  const first = await w.startMock();
  second = await createMockProvider();
  plain = makeKey();
  pinned = makeKey({ defaultProvider: 'second' });
  restricted = makeKey({ allowedModels: ['gpt-4o-mini'] });
  await w.snapshot(
    [
      provider({ id: 'first', baseUrl: first.url, models: [{ match: 'gpt-4o-mini' }], priority: 0 }),
      // serves DEFAULT_MODEL (the settings' defaultModel), though it comes second by priority
      provider({ id: 'second', baseUrl: second.url, models: [{ match: 'gpt-4.1' }], priority: 1 }),
    ],
    [plain.record, pinned.record, restricted.record],
    { defaultModel: 'gpt-4.1' },
  );
  base = await w.startGateway();
});
afterAll(async () => {
  await second?.close();
  await w.close();
});

const responsesTo = (m: MockProvider) => m.requests.filter((r) => r.path === '/v1/responses');

describe('responses.create without a model', () => {
  it('is forwarded unchanged to the provider of the default model, and its answer reaches the SDK', async () => {
    const before = responsesTo(second).length;
    const r = await w.client(base, plain.secret).responses.create({});
    expect(r.object).toBe('response');
    const sent = responsesTo(second);
    expect(sent.length).toBe(before + 1);
    expect(sent.at(-1)!.json).toEqual({});
    expect(responsesTo(w.mock)).toEqual([]);
  });

  it('goes to the key’s default provider when the key has one', async () => {
    const before = responsesTo(second).length;
    const r = await w.client(base, pinned.secret).responses.create({ input: 'prompt supplies the model', prompt: { id: 'pmpt_1' } });
    expect(r.object).toBe('response');
    expect(responsesTo(second).length).toBe(before + 1);
  });

  it('streams too', async () => {
    const events: string[] = [];
    for await (const e of await w.client(base, plain.secret).responses.create({ input: 'stream without model', stream: true })) events.push(e.type);
    expect(events.at(-1)).toBe('response.completed');
  });

  it('is refused for a key whose allow-list restricts models, and on the other routes', async () => {
    const limited = w.client(base, restricted.secret);
    const err = await limited.responses.create({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toMatchObject({ status: 400, code: 'missing_model', param: 'model' });
    const chat = await w.client(base, plain.secret).chat.completions.create({ messages: [{ role: 'user', content: 'hi' }] } as never).catch((e: unknown) => e);
    expect(chat).toMatchObject({ status: 400, code: 'missing_model' });
  });
});
