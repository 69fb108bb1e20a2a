import { describe, expect, it } from 'vitest';
import { normalizeBaseUrl } from './base-url.ts';
import { uuidv7, uuidv7Time } from './ids.ts';

describe('normalizeBaseUrl', () => {
  it('keeps a base URL as the OpenAI SDK takes it', () => {
    expect(normalizeBaseUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1');
    expect(normalizeBaseUrl('https://dashscope.aliyuncs.com/compatible-mode/v1/')).toBe('https://dashscope.aliyuncs.com/compatible-mode/v1');
  });
  it("adds /v1 to a bare origin, as in the original Python LLM Relay's example", () => {
    expect(normalizeBaseUrl('https://api.openai.com')).toBe('https://api.openai.com/v1');
    expect(normalizeBaseUrl('http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000/v1');
  });
});

describe('uuidv7', () => {
  it('is time-ordered and encodes its time', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a < b).toBe(true);
    expect(uuidv7Time(a)).toBe(1_700_000_000_000);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
