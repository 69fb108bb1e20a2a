import { describe, expect, it } from 'vitest';
import { parseSse, sseEventsEnd, splitSseEvents } from './sse.ts';

const events = ['data: {"a":1}', 'event: x\ndata: two\ndata: lines', ': comment\ndata: [DONE]'];
const as = (eol: string) => events.map((e) => e.replaceAll('\n', eol) + eol + eol).join('');
const bytes = (s: string) => new TextEncoder().encode(s);

describe('the SSE rule the framer and the parser share', () => {
  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']] as const) {
    it(`reads events ended by ${name}`, () => {
      const text = as(eol);
      expect(parseSse(text)).toEqual({
        events: [
          { event: null, data: '{"a":1}' },
          { event: 'x', data: 'two\nlines' },
          { event: null, data: '[DONE]' },
        ],
        trailingPartial: false,
      });
      expect(splitSseEvents(text)).toEqual(events.map((e) => e.replaceAll('\n', eol) + eol + eol));
      expect(sseEventsEnd(bytes(text))).toBe(text.length);
      // an event still being written is not complete
      const partial = `${text}data: {"b"`;
      expect(sseEventsEnd(bytes(partial))).toBe(text.length);
      expect(parseSse(partial)).toMatchObject({ events: [{}, {}, {}, { data: '{"b"' }], trailingPartial: true });
    });
  }

  it('finds no boundary inside a single line ending', () => {
    expect(sseEventsEnd(bytes('data: x\r\n'))).toBe(-1);
    expect(sseEventsEnd(bytes('data: x\r'))).toBe(-1);
    expect(sseEventsEnd(bytes('data: x\n\r'))).toBe(9);
    expect(sseEventsEnd(bytes('data: x\r\n\r\n'))).toBe(11);
  });

  it('takes mixed line endings, and a CRLF split across chunks adds an empty line, never merges events', () => {
    expect(parseSse('data: a\r\ndata: b\rdata: c\n\r\n').events).toEqual([{ event: null, data: 'a\nb\nc' }]);
    const first = 'data: a\r\r';
    expect(sseEventsEnd(bytes(first))).toBe(first.length);
    expect(parseSse(`${first}\ndata: b\r\r`).events.map((e) => e.data)).toEqual(['a', 'b']);
  });
});
