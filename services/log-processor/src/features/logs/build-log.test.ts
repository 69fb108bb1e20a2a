import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import { SettingsSchema, StoredLogSchema } from '@llm-relay/contracts';
import { chatEvent } from '../../../test/helpers/events.ts';
import { buildLog, type Redactor } from './build-log.ts';

const settings = SettingsSchema.parse({});
const opts = { settings, redactor: null, keepEmbeddingVectors: false };

describe('buildLog', () => {
  it('stores a streamed chat as one completion with previews, latency and search text', () => {
    const ev = chatEvent({ stream: true, prompt: 'What is the capital of France?', answer: 'Paris is the capital of France.' });
    const log = buildLog(ev, opts);
    expect(StoredLogSchema.parse(log)).toBeTruthy();
    expect((log.response.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('Paris is the capital of France.');
    expect(log.requestPreview).toBe('What is the capital of France?');
    expect(log.responsePreview).toBe('Paris is the capital of France.');
    expect(log.latency).toEqual({ total: 120, ttft: 55, upstream: 38 });
    expect(log.searchText).toContain('capital of France?');
    expect(log.searchText).toContain('Paris is the capital');
    expect(log.incomplete).toBe(false);
    expect(log.response.rawStream).toBeNull();
  });

  it('previews are cut to about 300 characters', () => {
    const log = buildLog(chatEvent({ prompt: 'x'.repeat(1000) }), opts);
    expect(log.requestPreview.length).toBe(300);
  });

  it('keeps the raw stream only when keepRawStream is on', () => {
    const log = buildLog(chatEvent({ stream: true }), { ...opts, settings: { ...settings, keepRawStream: true } });
    expect(log.response.rawStream).toContain('data: [DONE]');
  });
});

describe('usage sources', () => {
  it('provider usage, with cached and reasoning tokens kept apart', () => {
    const usage = { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, prompt_tokens_details: { cached_tokens: 60 }, completion_tokens_details: { reasoning_tokens: 20 } };
    expect(buildLog(chatEvent({ usage }), opts).usage).toEqual({ prompt: 100, completion: 50, total: 150, cached: 60, reasoning: 20, source: 'provider' });
  });
  it('DeepSeek cache hits count as cached tokens', () => {
    const usage = { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18, prompt_cache_hit_tokens: 6, prompt_cache_miss_tokens: 4 };
    expect(buildLog(chatEvent({ usage }), opts).usage).toMatchObject({ prompt: 10, cached: 6, source: 'provider' });
  });
  it('injected when the gateway asked for the usage chunk itself', () => {
    expect(buildLog(chatEvent({ stream: true, usageInjected: true }), opts).usage.source).toBe('injected');
  });
  it('estimated with a real tokenizer when the provider gave none', () => {
    const u = buildLog(chatEvent({ stream: true, usage: null, prompt: 'Hello world', answer: 'Hi there, how can I help?' }), opts).usage;
    expect(u.source).toBe('estimated');
    // o200k: "Be brief." = 3 tokens, "Hello world" = 2 (joined by a newline = 1), "Hi there, how can I help?" = 8
    // the text plus 3 tokens of framing per message (2) and 3 to prime the reply
    expect(u.prompt).toBe(countTokens('Be brief.\nHello world') + 2 * 3 + 3);
    expect(u.completion).toBe(8);
    expect(u.total).toBe(u.prompt! + u.completion!);
    expect(u.cached).toBeNull();
  });
  it('missing (nulls, not zeros) when there is nothing to count', () => {
    const ev = chatEvent({ status: 500, usage: null });
    ev.response.body = { text: '{"error":{"message":"upstream broke","type":"server_error"}}', bytes: 60, truncated: false };
    ev.outcome = 'upstream_error';
    ev.error = 'upstream answered 500';
    const log = buildLog(ev, opts);
    // a whole error answer is not a cut one
    expect(log.incomplete).toBe(false);
    expect(log.usage).toEqual({ prompt: null, completion: null, total: null, cached: null, reasoning: null, source: 'missing' });
    expect(log.cost.usd).toBeNull();
    expect(log.error).toBe('upstream broke');
  });
});

describe('cost', () => {
  it('uses the shipped price table and records the price', () => {
    const log = buildLog(chatEvent({ model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000, total_tokens: 2_000_000, prompt_tokens_details: { cached_tokens: 500_000 } } }), opts);
    expect(log.cost.price).toEqual({ model: 'gpt-4o-mini', input: 0.15, cachedInput: 0.075, output: 0.6, source: 'table' });
    expect(log.cost.usd).toBeCloseTo(0.075 + 0.0375 + 0.6, 9);
  });
  it('picks the price in effect on the day of the call', () => {
    const u = { prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000 };
    expect(buildLog(chatEvent({ model: 'gpt-4o', usage: u, at: Date.parse('2024-06-01') }), opts).cost.usd).toBe(5);
    expect(buildLog(chatEvent({ model: 'gpt-4o', usage: u, at: Date.parse('2025-01-01') }), opts).cost.usd).toBe(2.5);
  });
  it('an override from settings wins', () => {
    const s = { ...settings, priceOverrides: { 'gpt-4o-mini': { input: 1, output: 2 } } };
    const log = buildLog(chatEvent({ usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } }), { ...opts, settings: s });
    expect(log.cost).toEqual({ usd: 0.002, price: { model: 'gpt-4o-mini', input: 1, output: 2, source: 'override' } });
  });
  it('an unknown model has no price and no cost', () => {
    expect(buildLog(chatEvent({ model: 'my-local-llama' }), opts).cost).toEqual({ usd: null, price: null });
  });
});

describe('redaction hook', () => {
  const redactor: Redactor = {
    redactText: (s) => {
      const n = (s.match(/alice@example\.com/g) ?? []).length;
      return { text: s.replaceAll('alice@example.com', '[EMAIL]'), counts: n ? { email: n } : {} };
    },
    redactJson(v) {
      const r = this.redactText(JSON.stringify(v));
      return { value: JSON.parse(r.text), counts: r.counts };
    },
  };
  it('is applied to bodies, previews, search text and raw stream before storing, with counts by type', () => {
    const ev = chatEvent({ stream: true, prompt: 'mail alice@example.com please', answer: 'I wrote to alice@example.com' });
    const log = buildLog(ev, { ...opts, redactor, settings: { ...settings, keepRawStream: true } });
    expect(JSON.stringify(log)).not.toContain('alice@example.com');
    expect(log.requestPreview).toBe('mail [EMAIL] please');
    expect(log.redactions).toEqual({ email: 2 });
  });
});
