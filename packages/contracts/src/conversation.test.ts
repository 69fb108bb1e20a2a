import { describe, expect, it } from 'vitest';
import { contentText, conversation, conversationText } from './conversation.ts';

describe('conversation()', () => {
  it('renders a chat exchange with images, tool calls, tool results and reasoning', () => {
    const req = {
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'https://x/img.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"q":"dog"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'a dog' },
      ],
    };
    const res = { choices: [{ message: { role: 'assistant', content: 'A dog.', reasoning_content: 'thinking…' } }] };
    const m = conversation(req, res);
    expect(m.map((x) => x.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant']);
    expect(m[1]!.parts).toEqual([
      { kind: 'text', text: 'what is this?' },
      { kind: 'image', url: 'https://x/img.png' },
    ]);
    expect(m[2]!.parts).toEqual([{ kind: 'toolCall', id: 'c1', name: 'lookup', args: '{"q":"dog"}' }]);
    expect(m[3]!.parts).toEqual([{ kind: 'toolResult', id: 'c1', content: 'a dog' }]);
    expect(m[4]!.from).toBe('response');
    expect(m[4]!.parts).toEqual([
      { kind: 'reasoning', text: 'thinking…' },
      { kind: 'text', text: 'A dog.' },
    ]);
  });

  it('understands the Responses API and Anthropic messages', () => {
    const r = conversation({ instructions: 'be nice', input: 'hi' }, { output: [{ type: 'reasoning', summary: [{ text: 'hmm' }] }, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hello' }] }] });
    expect(r.map((m) => [m.role, m.parts[0]!.kind])).toEqual([
      ['system', 'text'],
      ['user', 'text'],
      ['assistant', 'reasoning'],
      ['assistant', 'text'],
    ]);
    const a = conversation({ system: 'sys', messages: [{ role: 'user', content: 'q' }] }, { type: 'message', role: 'assistant', content: [{ type: 'thinking', thinking: 't' }, { type: 'tool_use', id: 'u1', name: 'f', input: { x: 1 } }] });
    expect(a.at(-1)!.parts).toEqual([{ kind: 'reasoning', text: 't' }, { kind: 'toolCall', id: 'u1', name: 'f', args: '{"x":1}' }]);
  });

  it('returns nothing for a body that is not a conversation', () => {
    expect(conversation('binary', null)).toEqual([]);
  });
});

describe('the shapes the UI and the processor read', () => {
  it('Responses API input items: messages with input_text and input_image, function calls and their outputs', () => {
    const m = conversation(
      {
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA' }] },
          { type: 'function_call', call_id: 'fc1', name: 'search', arguments: '{"q":"cats"}' },
          { type: 'function_call_output', call_id: 'fc1', output: 'three cats' },
        ],
      },
      { output: [{ type: 'function_call', call_id: 'fc2', name: 'more', arguments: '{}' }, { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Cats.' }, { type: 'refusal', refusal: 'not that' }] }] },
    );
    expect(m).toEqual([
      { role: 'user', from: 'request', parts: [{ kind: 'text', text: 'look' }, { kind: 'image', url: 'data:image/png;base64,AAAA' }] },
      { role: 'assistant', from: 'request', parts: [{ kind: 'toolCall', id: 'fc1', name: 'search', args: '{"q":"cats"}' }] },
      { role: 'tool', from: 'request', parts: [{ kind: 'toolResult', id: 'fc1', content: 'three cats' }] },
      { role: 'assistant', from: 'response', parts: [{ kind: 'toolCall', id: 'fc2', name: 'more', args: '{}' }] },
      { role: 'assistant', from: 'response', parts: [{ kind: 'text', text: 'Cats.' }, { kind: 'text', text: 'not that' }] },
    ]);
  });

  it('Anthropic messages: system blocks, base64 images, tool_use and tool_result', () => {
    const m = conversation(
      {
        system: [{ type: 'text', text: 'be brief' }],
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QUJD' } }, { type: 'text', text: 'what?' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'see', input: { zoom: 2 } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'a cat' }] }] },
        ],
      },
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'A cat.' }] },
    );
    expect(m.map((x) => x.parts)).toEqual([
      [{ kind: 'text', text: 'be brief' }],
      [{ kind: 'image', url: 'data:image/png;base64,QUJD' }, { kind: 'text', text: 'what?' }],
      [{ kind: 'toolCall', id: 't1', name: 'see', args: '{"zoom":2}' }],
      [{ kind: 'toolResult', id: 't1', content: 'a cat' }],
      [{ kind: 'text', text: 'A cat.' }],
    ]);
  });

  it('legacy completions and embeddings', () => {
    expect(conversation({ prompt: ['a', 'b'] }, { choices: [{ text: 'c' }] }).map((x) => [x.role, x.parts])).toEqual([
      ['user', [{ kind: 'text', text: 'a\nb' }]],
      ['assistant', [{ kind: 'text', text: 'c' }]],
    ]);
    expect(conversation({ input: ['x', 'y'] }, { data: [] }).map((x) => x.parts[0])).toEqual([{ kind: 'text', text: 'x' }, { kind: 'text', text: 'y' }]);
  });

  it('as plain text: tool calls as name(args), images left out, reasoning apart from the answer', () => {
    const m = conversation(
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'q' }, { type: 'image_url', image_url: { url: 'https://x/i.png' } }] }] },
      { choices: [{ message: { role: 'assistant', content: 'a', reasoning_content: 'r', tool_calls: [{ id: 'c', function: { name: 'f', arguments: '{"k":1}' } }] } }] },
    );
    const response = m.filter((x) => x.from === 'response');
    expect(conversationText(m.filter((x) => x.from === 'request'))).toBe('q');
    expect(conversationText(response, { reasoning: 'without' })).toBe('a\nf({"k":1})');
    expect(conversationText(response, { reasoning: 'only' })).toBe('r');
    expect(contentText([{ type: 'text', text: 'one' }, { type: 'tool_result', content: 'two' }])).toBe('one\ntwo');
  });
});
