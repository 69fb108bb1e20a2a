import { describe, expect, it } from 'vitest';
import { conversation, redactionSegments } from './conversation.ts';

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
    expect(a.at(-1)!.parts.map((p) => p.kind)).toEqual(['reasoning', 'toolCall']);
  });

  it('returns nothing for a body that is not a conversation', () => {
    expect(conversation('binary', null)).toEqual([]);
  });
});

describe('redactionSegments()', () => {
  it('marks the placeholders the processor leaves where it redacted', () => {
    expect(redactionSegments('mail [EMAIL] or call [PHONE].')).toEqual([
      { text: 'mail ', redacted: false },
      { text: '[EMAIL]', redacted: true },
      { text: ' or call ', redacted: false },
      { text: '[PHONE]', redacted: true },
      { text: '.', redacted: false },
    ]);
    expect(redactionSegments('[CN_ID]')).toEqual([{ text: '[CN_ID]', redacted: true }]);
    expect(redactionSegments('an [ARRAY] stays')).toEqual([{ text: 'an [ARRAY] stays', redacted: false }]);
    expect(redactionSegments('')).toEqual([{ text: '', redacted: false }]);
  });
});
