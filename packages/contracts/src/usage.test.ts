import { describe, expect, it } from 'vitest';
import { capturedUsage, estimateTokens, providerUsage } from './usage.ts';

const sse = (...events: unknown[]) => events.map((e) => (typeof e === 'string' ? `data: ${e}\n\n` : `data: ${JSON.stringify(e)}\n\n`)).join('');

describe('provider usage', () => {
  it('reads chat completions, with cached and reasoning details', () => {
    expect(providerUsage({ usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } } })).toEqual({ prompt: 10, completion: 5, total: 15, cached: 4, reasoning: 2 });
  });
  it('reads the Responses API and Anthropic (cache reads and writes added to the prompt)', () => {
    expect(providerUsage({ usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10, input_tokens_details: { cached_tokens: 1 } } })).toEqual({ prompt: 7, completion: 3, total: 10, cached: 1, reasoning: null });
    expect(providerUsage({ type: 'message', usage: { input_tokens: 7, output_tokens: 3, cache_read_input_tokens: 5, cache_creation_input_tokens: 2 } })).toEqual({ prompt: 14, completion: 3, total: 17, cached: 5, reasoning: null });
  });
  it('is null without usage', () => {
    expect(providerUsage({ choices: [] })).toBeNull();
    expect(capturedUsage('{"choices":[]}', false)).toBeNull();
  });
});

describe('usage of a captured response', () => {
  it('a chat stream: the usage chunk, past the chunks that carry "usage": null', () => {
    const text = sse({ choices: [{ delta: { content: 'hi' } }], usage: null }, { choices: [], usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }, '[DONE]');
    expect(capturedUsage(text, true)).toMatchObject({ prompt: 9, completion: 2, total: 11 });
  });
  it('a Responses API stream: response.completed', () => {
    const text = sse({ type: 'response.output_text.delta', delta: 'hi' }, { type: 'response.completed', response: { usage: { input_tokens: 4, output_tokens: 6, total_tokens: 10 } } });
    expect(capturedUsage(text, true)).toMatchObject({ prompt: 4, completion: 6, total: 10 });
  });
  it('an Anthropic stream: message_start input merged with message_delta output, cache included', () => {
    const text = sse(
      { type: 'message_start', message: { type: 'message', usage: { input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 1 } } },
      { type: 'content_block_delta', delta: { type: 'text_delta', text: 'hi' } },
      { type: 'message_delta', usage: { output_tokens: 15 } },
    );
    expect(capturedUsage(text, true)).toMatchObject({ prompt: 120, completion: 15, total: 135, cached: 100 });
  });
  it('a stream cut mid-event still yields what came whole', () => {
    const text = sse({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }) + 'data: {"choi';
    expect(capturedUsage(text, true)).toMatchObject({ total: 2 });
  });
});

describe('the estimate when no usage came', () => {
  it('counts message text at four characters a token, not images or JSON framing', () => {
    const request = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a'.repeat(400) }, { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(100_000)}` } }] }] });
    const response = JSON.stringify({ id: 'x', choices: [{ message: { role: 'assistant', content: 'b'.repeat(200), tool_calls: [{ function: { name: 'f', arguments: '{"q":"c"}' } }] } }] });
    expect(estimateTokens(request, response, false)).toBe(Math.ceil((400 + 200 + 9) / 4));
  });
  it('sums the deltas of a stream', () => {
    const response = sse({ choices: [{ delta: { content: 'x'.repeat(40) } }] }, { choices: [{ delta: { content: 'y'.repeat(40) } }] }, '[DONE]');
    expect(estimateTokens('{"messages":[{"role":"user","content":"1234"}]}', response, true)).toBe(21);
  });
  it('counts a body that is not JSON (cut at the capture limit) whole', () => {
    expect(estimateTokens('{"messages":[{"role":"user","content":"abc', '', false)).toBe(Math.ceil(41 / 4));
  });
});
