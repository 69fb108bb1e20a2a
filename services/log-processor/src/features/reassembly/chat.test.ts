import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SdkOracle, sse } from '../../../test/helpers/sdk-oracle.ts';
import { parseSse } from '@llm-relay/contracts';
import { reassembleChatStream } from './chat.ts';

const oracle = new SdkOracle();
beforeAll(() => oracle.start());
afterAll(() => oracle.stop());

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini-2024-07-18' };
const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({ ...base, ...extra, choices });
const delta = (d: Record<string, unknown>, finish: string | null = null, index = 0, more: Record<string, unknown> = {}) => ({ index, delta: d, finish_reason: finish, ...more });
const usage = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } };

function ours(text: string) {
  return reassembleChatStream(parseSse(text).events);
}
function withoutReasoning(v: unknown): unknown {
  const c = structuredClone(v) as { choices: { message: Record<string, unknown> }[] };
  for (const ch of c.choices) {
    delete ch.message.reasoning_content;
    delete ch.message.reasoning;
  }
  return c;
}

const shapes: Record<string, string> = {
  'plain content with a final usage chunk': sse([
    chunk([delta({ role: 'assistant', content: '', refusal: null })], { system_fingerprint: 'fp_1', service_tier: 'default', usage: null }),
    chunk([delta({ content: 'Hello' })], { system_fingerprint: 'fp_1', service_tier: 'default', usage: null }),
    chunk([delta({ content: ', world' })], { system_fingerprint: 'fp_1', service_tier: 'default', usage: null }),
    chunk([delta({}, 'stop')], { system_fingerprint: 'fp_1', service_tier: 'default', usage: null }),
    chunk([], { system_fingerprint: 'fp_1', service_tier: 'default', usage }),
  ]),
  'CRLF line endings and no usage': sse([chunk([delta({ role: 'assistant', content: 'a' })]), chunk([delta({ content: 'b' }, 'length')])], { crlf: true }),
  'two choices interleaved (n=2)': sse([
    chunk([delta({ role: 'assistant', content: 'x' }, null, 0), delta({ role: 'assistant', content: 'y' }, null, 1)]),
    chunk([delta({ content: '1' }, null, 1)]),
    chunk([delta({ content: '2' }, null, 0)]),
    chunk([delta({}, 'stop', 0), delta({}, 'stop', 1)]),
  ]),
  'parallel tool calls split into fragments': sse([
    chunk([delta({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] })]),
    chunk([delta({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] })]),
    chunk([delta({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] })]),
    chunk([delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } }] })]),
    chunk([delta({}, 'tool_calls')]),
    chunk([], { usage }),
  ]),
  'DashScope tool calls repeating id/type/name empty': sse([
    chunk([delta({ content: null, role: 'assistant', tool_calls: [{ index: 0, id: 'call_9f', type: 'function', function: { name: 'lookup', arguments: '{"q": "' } }] })], { model: 'qwen-plus', system_fingerprint: null, usage: null }),
    chunk([delta({ content: null, role: null, tool_calls: [{ index: 0, id: '', type: 'function', function: { name: '', arguments: 'tea' } }] })], { model: 'qwen-plus', system_fingerprint: null, usage: null }),
    chunk([delta({ content: null, tool_calls: [{ index: 0, id: '', type: '', function: { arguments: '"}' } }] })], { model: 'qwen-plus', system_fingerprint: null, usage: null }),
    chunk([delta({ content: '' }, 'tool_calls')], { model: 'qwen-plus', system_fingerprint: null, usage: null }),
    chunk([], { model: 'qwen-plus', system_fingerprint: null, usage: { prompt_tokens: 30, completion_tokens: 9, total_tokens: 39, prompt_tokens_details: { cached_tokens: 0 } } }),
  ]),
  'DashScope reasoning_content then content': sse([
    chunk([delta({ role: 'assistant', content: null, reasoning_content: 'Let me ' })], { model: 'qwen3-max' }),
    chunk([delta({ content: null, reasoning_content: 'think.' })], { model: 'qwen3-max' }),
    chunk([delta({ content: 'Answer', reasoning_content: null })], { model: 'qwen3-max' }),
    chunk([delta({ content: '.' }, 'stop')], { model: 'qwen3-max' }),
  ]),
  'refusal': sse([chunk([delta({ role: 'assistant', content: null, refusal: "I can't " })]), chunk([delta({ refusal: 'help with that.' }, 'stop')])]),
  'logprobs appended': sse([
    chunk([delta({ role: 'assistant', content: 'Hi' }, null, 0, { logprobs: { content: [{ token: 'Hi', logprob: -0.1, bytes: [72, 105], top_logprobs: [] }], refusal: null } })]),
    chunk([delta({ content: '!' }, null, 0, { logprobs: { content: [{ token: '!', logprob: -0.2, bytes: [33], top_logprobs: [] }], refusal: null } })]),
    chunk([delta({}, 'stop')]),
  ]),
  'legacy function_call': sse([
    chunk([delta({ role: 'assistant', content: null, function_call: { name: 'f', arguments: '' } })]),
    chunk([delta({ function_call: { arguments: '{"a":1}' } })]),
    chunk([delta({}, 'function_call')]),
  ]),
  'Azure: prompt_filter_results chunk without id, content_filter_results per choice': sse([
    { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: 'safe' } } }] },
    chunk([delta({ role: 'assistant', content: '' }, null, 0, { content_filter_results: {} })]),
    chunk([delta({ content: 'Hi' }, null, 0, { content_filter_results: { hate: { filtered: false, severity: 'safe' } } })]),
    chunk([delta({}, 'stop', 0, { content_filter_results: {} })]),
  ]),
  'vLLM: stop_reason per choice and usage on every chunk': sse([
    chunk([delta({ role: 'assistant', content: 'x' }, null, 0, { stop_reason: null })], { usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }),
    chunk([delta({ content: 'y' }, 'stop', 0, { stop_reason: 128001 })], { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } }),
  ]),
  'DeepSeek: reasoning then content then tool call, cache-hit usage fields': sse([
    chunk([delta({ role: 'assistant', content: null, reasoning_content: 'Plan.' })], { model: 'deepseek-reasoner' }),
    chunk([delta({ content: 'Calling.', reasoning_content: null })], { model: 'deepseek-reasoner' }),
    chunk([delta({ tool_calls: [{ index: 0, id: 'call_0', type: 'function', function: { name: 'f', arguments: '{}' } }] })], { model: 'deepseek-reasoner' }),
    chunk([delta({ content: '' }, 'tool_calls')], { model: 'deepseek-reasoner', usage: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18, prompt_cache_hit_tokens: 6, prompt_cache_miss_tokens: 4 } }),
  ]),
  'unicode split across chunks and SSE comments': ': keep-alive\n\n' + sse([chunk([delta({ role: 'assistant', content: '你好' })]), chunk([delta({ content: '，世界 🌍' }, 'stop')])]),
};

describe('chat stream reassembly equals the SDK finalChatCompletion()', () => {
  for (const [name, text] of Object.entries(shapes)) {
    it(name, async () => {
      const expected = await oracle.finalChatCompletion(text);
      const got = ours(text);
      expect(got.incomplete).toBe(false);
      expect(got.error).toBeNull();
      expect(withoutReasoning(got.body)).toEqual(withoutReasoning(expected));
    });
  }

  it('concatenates reasoning_content and reasoning where the SDK keeps the last fragment', () => {
    const got = ours(shapes['DashScope reasoning_content then content']!).body as { choices: { message: Record<string, unknown> }[] };
    expect(got.choices[0]!.message.reasoning_content).toBe('Let me think.');
    const vllm = sse([chunk([delta({ role: 'assistant', reasoning: 'a' })]), chunk([delta({ reasoning: 'b', content: 'c' }, 'stop')])]);
    const v = ours(vllm).body as { choices: { message: Record<string, unknown> }[] };
    expect(v.choices[0]!.message.reasoning).toBe('ab');
    expect(v.choices[0]!.message.content).toBe('c');
  });

  it('keeps the final usage even when the server sends chunks with empty ids', () => {
    const text = sse([chunk([delta({ role: 'assistant', content: 'a' }, 'stop')], { id: '' }), chunk([], { id: '', usage })]);
    expect((ours(text).body as Record<string, unknown>).usage).toEqual(usage);
  });

  it('keeps usage from the final chunk including cached and reasoning details', () => {
    const got = ours(shapes['plain content with a final usage chunk']!).body as Record<string, unknown>;
    expect(got.usage).toEqual(usage);
  });
});

describe('cut streams', () => {
  it('a stream cut mid-answer keeps what arrived and is incomplete', () => {
    const text = sse([chunk([delta({ role: 'assistant', content: 'Hel' })]), chunk([delta({ content: 'lo' })])], { done: false }) + 'data: {"id":"chatcmpl-1","choi';
    const got = ours(text);
    expect(got.incomplete).toBe(true);
    const body = got.body as { choices: { message: { content: string }; finish_reason: unknown }[] };
    expect(body.choices[0]!.message.content).toBe('Hello');
    expect(body.choices[0]!.finish_reason).toBeNull();
  });

  it('an error event mid-stream is recorded and the log is incomplete', () => {
    const text = sse([chunk([delta({ role: 'assistant', content: 'Par' })])], { done: false }) + 'event: error\ndata: {"error":{"message":"upstream reset","type":"server_error"}}\n\n';
    const got = ours(text);
    expect(got.incomplete).toBe(true);
    expect(got.error).toBe('upstream reset');
    expect((got.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('Par');
  });

  it('an empty capture gives no body and is incomplete', () => {
    expect(ours('')).toEqual({ body: null, incomplete: true, error: null });
  });
});
