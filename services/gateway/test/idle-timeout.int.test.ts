import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { World, type TestKey } from './helpers.ts';

const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  ({ base, key } = await w.startWithMock({ idleTimeoutSeconds: 1 }));
});
afterAll(() => w.close());

describe('idle timeout', () => {
  it('an upstream stream silent for longer than idleTimeoutSeconds ends with an error event and is logged as timeout', async () => {
    const res = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', 'x-mock-silence-ms': '3000', 'x-mock-interval-ms': '1' }, body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
    const text = await res.text();
    expect(text).toContain('data: {"id"');
    expect(text).not.toContain('[DONE]');
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.replace(/^data: /, '')) as { error: { code: string } };
    expect(last.error.code).toBe('upstream_idle_timeout');
    const ev = await w.event(res.headers.get('x-request-id')!);
    expect(ev.outcome).toBe('timeout');
  });
});
