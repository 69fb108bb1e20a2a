import { describe, expect, it } from 'vitest';
import { sides, tokenize, wordDiff } from './word-diff.ts';

describe('wordDiff', () => {
  it('keeps a placeholder as one token', () => {
    expect(tokenize('Today is {{date}}.')).toEqual(['Today', ' ', 'is', ' ', '{{date}}', '.']);
  });

  it('marks a reworded sentence word by word and keeps the rest', () => {
    const parts = wordDiff('You are a helpful assistant. Answer briefly.', 'You are a careful assistant. Answer briefly.');
    expect(parts.filter((p) => p.op === 'del').map((p) => p.text)).toEqual(['helpful']);
    expect(parts.filter((p) => p.op === 'add').map((p) => p.text)).toEqual(['careful']);
    const { left, right } = sides(parts);
    expect(left.map((p) => p.text).join('')).toBe('You are a helpful assistant. Answer briefly.');
    expect(right.map((p) => p.text).join('')).toBe('You are a careful assistant. Answer briefly.');
  });

  it('shows an added placeholder as a placeholder', () => {
    const parts = wordDiff('Hello.', 'Hello {{email}}.');
    const added = parts.filter((p) => p.op === 'add');
    expect(added.some((p) => p.placeholder && p.text === '{{email}}')).toBe(true);
  });

  it('handles empty sides', () => {
    expect(wordDiff('', 'a b')).toEqual([{ op: 'add', text: 'a b', placeholder: false }]);
    expect(wordDiff('a', '')).toEqual([{ op: 'del', text: 'a', placeholder: false }]);
  });
});
