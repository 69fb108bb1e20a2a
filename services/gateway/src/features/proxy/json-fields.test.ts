import { describe, expect, it } from 'vitest';
import { jsonDepth, rewriteBody, scanTopLevel } from './json-fields.ts';

const b = (x: unknown) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x));

describe('scanTopLevel', () => {
  it('finds model, stream and stream_options at the top level only', () => {
    const body = b({ messages: [{ role: 'user', content: 'the "model": "x" \\" tricky', model: 'nested' }], tools: [{ function: { parameters: { model: { type: 'string' } } } }], model: 'gpt-4o', stream: true, stream_options: { include_usage: false } });
    const f = scanTopLevel(body)!;
    expect(f.model?.value).toBe('gpt-4o');
    expect(f.stream).toBe(true);
    expect(f.streamOptions?.value).toEqual({ include_usage: false });
  });

  it('handles whitespace, escapes and unicode', () => {
    const f = scanTopLevel(b('  {\n "stream" : false ,\r\n\t"model":"m\\u00e9\\"x" }  '))!;
    expect(f.model?.value).toBe('mé"x');
    expect(f.stream).toBe(false);
  });

  it('returns null for what it does not understand', () => {
    for (const bad of ['', '[]', '{"model":', '{"model":"x"', '{"model":"x"} trailing', '{model:"x"}', '{"a":"unterminated}']) expect(scanTopLevel(b(bad))).toBeNull();
  });

  it('reads keys decoded and reports the first key sent twice', () => {
    const f = scanTopLevel(b('{"\\u006d\\u006f\\u0064\\u0065\\u006c":"gpt-4o","messages":[]}'))!;
    expect(f.model?.value).toBe('gpt-4o');
    expect(f.duplicateKey).toBeNull();
    expect(scanTopLevel(b('{"model":"a","mod\\u0065l":"b"}'))!.duplicateKey).toBe('model');
    expect(scanTopLevel(b('{"x":1,"messages":[],"x":2}'))!.duplicateKey).toBe('x');
    // nested repeats are the upstream's business: they do not route
    expect(scanTopLevel(b('{"a":{"k":1,"k":2},"b":[{"k":1,"k":2}]}'))!.duplicateKey).toBeNull();
  });

  it('measures nesting depth, strings not counted', () => {
    expect(scanTopLevel(b({ a: 1 }))!.depth).toBe(1);
    expect(scanTopLevel(b({ a: [{ b: [1] }], s: '[[[[{{{{' }))!.depth).toBe(4);
    const deep = `{"a":${'['.repeat(500)}${']'.repeat(500)}}`;
    expect(scanTopLevel(b(deep))!.depth).toBe(501);
    expect(jsonDepth(b(deep))).toBe(501);
    expect(jsonDepth(b('"x"'))).toBe(0);
  });

  it('skips a 20 MB data URL without decoding it', () => {
    const body = b({ model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(20_000_000)}` } }] }] });
    expect(scanTopLevel(body)?.model?.value).toBe('gpt-4o');
  });
});

describe('rewriteBody', () => {
  it('renames the model and injects include_usage, keeping everything else byte for byte', () => {
    const src = { model: 'fast', messages: [{ role: 'user', content: 'hi' }], stream: true, temperature: 0.5 };
    const body = b(src);
    const out = rewriteBody(body, scanTopLevel(body)!, 'gpt-4o-mini', true);
    expect(JSON.parse(out.toString())).toEqual({ ...src, model: 'gpt-4o-mini', stream_options: { include_usage: true } });
  });

  it('merges into existing stream_options', () => {
    const body = b({ model: 'm', stream: true, stream_options: { include_obfuscation: false } });
    const out = rewriteBody(body, scanTopLevel(body)!, null, true);
    expect(JSON.parse(out.toString()).stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it('returns the same buffer when nothing changes', () => {
    const body = b({ model: 'm' });
    expect(rewriteBody(body, scanTopLevel(body)!, null, false)).toBe(body);
  });
});
