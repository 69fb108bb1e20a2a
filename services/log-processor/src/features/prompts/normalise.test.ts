import { describe, expect, it } from 'vitest';
import { instructionsOf, normalisePrompt } from './normalise.ts';
import { familyNameOf } from './detector.ts';

describe('normalisePrompt', () => {
  it.each([
    ['Today is 2026-12-03.', 'Today is {{date}}.'],
    ['Now: 2026-12-03T08:10:46.123Z', 'Now: {{date}} {{time}}'],
    ['Meeting on December 3, 2026 at 10:00 AM', 'Meeting on {{date}} at {{time}}'],
    ['今天是2026年12月3日，现在8点30分。', '今天是{{date}}，现在{{time}}。'],
    ['Session 4f9c2a10-8b1e-4c3d-9a7f-2b1c0d9e8f7a', 'Session {{uuid}}'],
    ['Mail jane.doe@example.com or see https://a.example/x?y=1.', 'Mail {{email}} or see {{url}}'],
    ['Order ORD-88412-KX, customer cus_NffrF3eUfNV2Hib, trace 9f86d081884c7d65', 'Order {{id}}, customer {{id}}, trace {{id}}'],
    ['Refunds above $1,200.50 or 15% go to a human; 共3个工具', 'Refunds above ${{number}} or {{number}} go to a human; 共{{number}}个工具'],
    ['Use gpt-4o and GPT-4 tools v2', 'Use gpt-4o and GPT-{{number}} tools v2'],
    ['  many\n\n  spaces\there ', 'many spaces here'],
  ])('%s', (input, expected) => {
    expect(normalisePrompt(input)).toBe(expected);
  });
});

describe('instructionsOf', () => {
  it('chat: system and developer messages, text parts joined', () => {
    const body = {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'hello' },
      ],
    };
    expect(instructionsOf('chat.completions', body)).toBe('Be brief.\n\nAnswer in French.');
    expect(instructionsOf('chat.completions', { messages: [{ role: 'user', content: 'hi' }] })).toBe('');
  });
  it('responses: instructions and system/developer input items', () => {
    expect(instructionsOf('responses', { instructions: 'Be brief.', input: 'hi' })).toBe('Be brief.');
    expect(instructionsOf('responses', { input: [{ role: 'developer', content: [{ type: 'input_text', text: 'Dev.' }] }, { role: 'user', content: 'x' }] })).toBe('Dev.');
  });
  it('anthropic messages: system as a string or as blocks', () => {
    expect(instructionsOf('messages', { system: 'Be brief.', messages: [] })).toBe('Be brief.');
    expect(instructionsOf('messages', { system: [{ type: 'text', text: 'A.' }, { type: 'text', text: 'B.' }], messages: [] })).toBe('A.\nB.');
  });
  it('embeddings and unparsed bodies have none', () => {
    expect(instructionsOf('embeddings', { input: 'x' })).toBe('');
    expect(instructionsOf('chat.completions', 'not json')).toBe('');
  });
});

describe('familyNameOf', () => {
  it('keeps the first words, or the first characters of text without spaces', () => {
    expect(familyNameOf('You are a helpful assistant.')).toBe('You are a helpful assistant.');
    expect(familyNameOf('You are Aria, the customer support assistant for Northwind Outfitters. Today is {{date}}.')).toBe('You are Aria, the customer support assistant for Northwind…');
    expect(familyNameOf('你是一名专业的中英翻译。请把用户提供的中文文本翻译成地道、自然的英文')).toBe('你是一名专业的中英翻译。请把用户提供的中文文本翻…');
  });
});
