import { describe, expect, it } from 'vitest';
import { parseSse } from '@llm-relay/contracts';
import { reassembleResponsesStream } from './responses.ts';
import { reassembleAnthropicStream } from './anthropic.ts';
import { answerText } from '../logs/texts.ts';
import { reassembleCompletionsStream } from './completions.ts';
import { summarizeEmbeddings } from './embeddings.ts';

const named = (events: { type: string; [k: string]: unknown }[]) => events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
const created = { id: 'resp_1', object: 'response', status: 'in_progress', model: 'gpt-4.1', output: [], usage: null };
const responseEvents = [
  { type: 'response.created', sequence_number: 0, response: created },
  { type: 'response.in_progress', sequence_number: 1, response: created },
  { type: 'response.output_item.added', output_index: 0, item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] } },
  { type: 'response.content_part.added', output_index: 0, content_index: 0, item_id: 'msg_1', part: { type: 'output_text', text: '', annotations: [] } },
  { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 'Hello' },
  { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: ' there' },
];
const finalResponse = {
  ...created,
  status: 'completed',
  output: [{ id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there', annotations: [] }] }],
  usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 },
};

describe('Responses API streams', () => {
  it('take the final response of response.completed', () => {
    const r = reassembleResponsesStream(parseSse(named([...responseEvents, { type: 'response.completed', response: finalResponse }])).events);
    expect(r).toEqual({ body: finalResponse, incomplete: false, error: null });
    expect(answerText('responses', r.body)).toBe('Hello there');
  });
  it('response.incomplete and response.failed are final but flagged', () => {
    const inc = reassembleResponsesStream(parseSse(named([{ type: 'response.incomplete', response: { ...finalResponse, status: 'incomplete' } }])).events);
    expect(inc.incomplete).toBe(true);
    const failed = reassembleResponsesStream(parseSse(named([{ type: 'response.failed', response: { ...created, status: 'failed', error: { code: 'server_error', message: 'boom' } } }])).events);
    expect(failed).toMatchObject({ incomplete: true, error: 'boom' });
  });
  it('a truncated stream is rebuilt from response.created and the deltas', () => {
    const fnEvents = [
      { type: 'response.output_item.added', output_index: 1, item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '' } },
      { type: 'response.function_call_arguments.delta', output_index: 1, item_id: 'fc_1', delta: '{"q":' },
      { type: 'response.function_call_arguments.delta', output_index: 1, item_id: 'fc_1', delta: '"x"}' },
    ];
    const r = reassembleResponsesStream(parseSse(named([...responseEvents, ...fnEvents])).events);
    expect(r.incomplete).toBe(true);
    const body = r.body as typeof finalResponse & { incomplete_details: unknown; output: Record<string, unknown>[] };
    expect(body.id).toBe('resp_1');
    expect(body.status).toBe('incomplete');
    expect(body.output[0]).toMatchObject({ content: [{ type: 'output_text', text: 'Hello there' }] });
    expect(body.output[1]).toMatchObject({ name: 'lookup', arguments: '{"q":"x"}' });
    expect(answerText('responses', body)).toBe('Hello there\nlookup({"q":"x"})');
  });
});

describe('Anthropic Messages streams', () => {
  const start = { type: 'message_start', message: { id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, cache_read_input_tokens: 10, output_tokens: 1 } } };
  const body = [
    start,
    { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'ping' },
    { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi ' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'there' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Par' } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'is"}' } },
    { type: 'content_block_stop', index: 2 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42 } },
    { type: 'message_stop' },
  ];
  it('builds one message with usage from message_delta', () => {
    const r = reassembleAnthropicStream(parseSse(named(body)).events);
    expect(r.incomplete).toBe(false);
    expect(r.body).toEqual({
      id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', stop_reason: 'tool_use', stop_sequence: null,
      usage: { input_tokens: 25, cache_read_input_tokens: 10, output_tokens: 42 },
      content: [
        { type: 'thinking', thinking: 'Hmm.', signature: 'sig' },
        { type: 'text', text: 'Hi there' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
    expect(answerText('messages', r.body)).toBe('Hi there\nget_weather({"city":"Paris"})');
  });
  it('a cut stream keeps the text that arrived and is incomplete', () => {
    const r = reassembleAnthropicStream(parseSse(named(body.slice(0, 9))).events);
    expect(r.incomplete).toBe(true);
    expect((r.body as { content: unknown[] }).content[1]).toEqual({ type: 'text', text: 'Hi there' });
  });
  it('an error event ends the stream as incomplete with its message', () => {
    const r = reassembleAnthropicStream(parseSse(named([start, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }])).events);
    expect(r).toMatchObject({ incomplete: true, error: 'Overloaded' });
  });
});

describe('legacy completions streams', () => {
  it('concatenate text and logprobs per choice', () => {
    const c = (choices: unknown[], extra = {}) => ({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'gpt-3.5-turbo-instruct', choices, ...extra });
    const text = [
      c([{ text: 'Once', index: 0, logprobs: { tokens: ['Once'], token_logprobs: [-0.1], top_logprobs: null, text_offset: [0] }, finish_reason: null }]),
      c([{ text: ' upon', index: 0, logprobs: { tokens: [' upon'], token_logprobs: [-0.2], top_logprobs: null, text_offset: [4] }, finish_reason: 'length' }]),
      c([], { usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
    ].map((x) => `data: ${JSON.stringify(x)}\n\n`).join('') + 'data: [DONE]\n\n';
    const r = reassembleCompletionsStream(parseSse(text).events);
    expect(r.incomplete).toBe(false);
    expect(r.body).toEqual({
      id: 'cmpl-1', object: 'text_completion', created: 1, model: 'gpt-3.5-turbo-instruct',
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      choices: [{ text: 'Once upon', index: 0, finish_reason: 'length', logprobs: { tokens: ['Once', ' upon'], token_logprobs: [-0.1, -0.2], text_offset: [0, 4] } }],
    });
  });
});

describe('embeddings', () => {
  it('keep count and dimensions, not the vectors; base64 (the SDK default) counts float32 dimensions', () => {
    const floats = new Float32Array([0.1, 0.2, 0.3, 0.4]);
    const b64 = Buffer.from(floats.buffer).toString('base64');
    const body = { object: 'list', model: 'text-embedding-3-small', usage: { prompt_tokens: 4, total_tokens: 4 }, data: [{ object: 'embedding', index: 0, embedding: b64 }, { object: 'embedding', index: 1, embedding: b64 }] };
    expect(summarizeEmbeddings(body, false)).toEqual({ object: 'list', model: 'text-embedding-3-small', usage: body.usage, data: [], embeddings: { count: 2, dimensions: 4, encoding: 'base64', vectorsOmitted: true } });
    const asFloat = { ...body, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }] };
    expect(summarizeEmbeddings(asFloat, false)).toMatchObject({ embeddings: { count: 1, dimensions: 3, encoding: 'float' } });
    expect(summarizeEmbeddings(asFloat, true)).toEqual(asFloat);
  });
});
