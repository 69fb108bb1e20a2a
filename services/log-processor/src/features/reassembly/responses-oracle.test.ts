import { afterAll, beforeAll, expect, it } from 'vitest';
import { SdkOracle } from '../../../test/helpers/sdk-oracle.ts';
import { parseSse } from '@llm-relay/contracts';
import { reassembleResponsesStream } from './responses.ts';

const oracle = new SdkOracle();
beforeAll(() => oracle.start());
afterAll(() => oracle.stop());

const named = (events: Record<string, unknown>[]) => events.map((e, i) => `event: ${String(e.type)}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`).join('');

it('a complete Responses stream equals the SDK finalResponse()', async () => {
  const created = { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', model: 'gpt-4.1', output: [], usage: null, error: null, incomplete_details: null };
  const msg = { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello there', annotations: [], logprobs: [] }] };
  const fc = { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' };
  const text = named([
    { type: 'response.created', response: created },
    { type: 'response.output_item.added', output_index: 0, item: { ...msg, status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', output_index: 0, content_index: 0, item_id: 'msg_1', part: { type: 'output_text', text: '', annotations: [], logprobs: [] } },
    { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: 'Hello', logprobs: [] },
    { type: 'response.output_text.delta', output_index: 0, content_index: 0, item_id: 'msg_1', delta: ' there', logprobs: [] },
    { type: 'response.output_text.done', output_index: 0, content_index: 0, item_id: 'msg_1', text: 'Hello there', logprobs: [] },
    { type: 'response.content_part.done', output_index: 0, content_index: 0, item_id: 'msg_1', part: msg.content[0] },
    { type: 'response.output_item.done', output_index: 0, item: msg },
    { type: 'response.output_item.added', output_index: 1, item: { ...fc, status: 'in_progress', arguments: '' } },
    { type: 'response.function_call_arguments.delta', output_index: 1, item_id: 'fc_1', delta: '{"q":"x"}' },
    { type: 'response.function_call_arguments.done', output_index: 1, item_id: 'fc_1', arguments: '{"q":"x"}' },
    { type: 'response.output_item.done', output_index: 1, item: fc },
    { type: 'response.completed', response: { ...created, status: 'completed', output: [msg, fc], usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 } } },
  ]);
  const ours = reassembleResponsesStream(parseSse(text).events);
  expect(ours.incomplete).toBe(false);
  expect(ours.body).toEqual(await oracle.finalResponse(text));
});
