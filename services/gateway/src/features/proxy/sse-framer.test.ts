import { describe, expect, it } from 'vitest';
import { SseFramer } from './sse-framer.ts';

const b = (s: string) => Buffer.from(s);
const s = (x: Buffer | null) => x?.toString() ?? null;

describe('SseFramer', () => {
  it('forwards whole events at once and holds a partial one until it ends', () => {
    const f = new SseFramer(false);
    expect(s(f.push(b('data: {"a":1}\n\ndata: {"b"')))).toBe('data: {"a":1}\n\n');
    expect(f.hasPartial).toBe(true);
    expect(s(f.push(b(':2}\n\n')))).toBe('data: {"b":2}\n\n');
    expect(f.hasPartial).toBe(false);
  });

  it('keeps event: lines, comments and CRLF framing untouched', () => {
    const f = new SseFramer(false);
    const text = 'event: response.created\r\ndata: {"x":1}\r\n\r\n: comment\n\n';
    expect(s(f.push(b(text)))).toBe(text);
  });

  it('notices [DONE]', () => {
    const f = new SseFramer(false);
    f.push(b('data: [DONE]\n\n'));
    expect(f.sawDone).toBe(true);
  });

  it('with strip on, drops the usage-only chunk and the usage:null fields, nothing else', () => {
    const f = new SseFramer(true);
    const c1 = 'data: {"id":"1","choices":[{"index":0,"delta":{"content":"hi, \\"usage\\":null"}}],"usage":null}\n\n';
    expect(s(f.push(b(c1)))).toBe('data: {"id":"1","choices":[{"index":0,"delta":{"content":"hi, \\"usage\\":null"}}]}\n\n');
    const usage = 'data: {"id":"1","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n';
    expect(s(f.push(b(usage + 'data: [DONE]\n\n')))).toBe('data: [DONE]\n\n');
    expect(f.stripped).toBe(true);
  });

  it('does not strip a chunk that carries choices as well as usage', () => {
    const f = new SseFramer(true);
    const c = 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"total_tokens":3}}\n\n';
    expect(s(f.push(b(c)))).toBe(c);
  });

  it('does not hold an endless event: past a megabyte it passes the bytes on', () => {
    const f = new SseFramer(false);
    expect(f.push(Buffer.alloc(600 * 1024, 0x61))).toBeNull();
    expect(f.push(Buffer.alloc(600 * 1024, 0x61))?.length).toBe(1200 * 1024);
    expect(f.hasPartial).toBe(false);
  });

  it('returns a last event without its blank line at the end', () => {
    const f = new SseFramer(false);
    expect(f.push(b('data: {"a":1}'))).toBeNull();
    expect(s(f.end())).toBe('data: {"a":1}');
  });
});
