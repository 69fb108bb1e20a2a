import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTION_TYPES } from './index.ts';
import { TOO_DEEP } from './json.ts';

const redactor = createRedactor(REDACTION_TYPES);

describe('redactJson', () => {
  it('redacts strings at any depth, including content-part arrays, and object keys', () => {
    const body = {
      model: 'gpt-4o',
      'a.b@example.com': 'the key is an e-mail address',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: [{ type: 'text', text: '我的手机是13800138000，邮箱 zhang@example.com' }] },
      ],
      metadata: { nested: { deeper: ['card 4111 1111 1111 1111', 42, null, true] } },
    };
    const { value, counts } = redactor.redactJson(body);
    expect(value).toEqual({
      model: 'gpt-4o',
      '[EMAIL]': 'the key is an e-mail address',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: [{ type: 'text', text: '我的手机是[PHONE]，邮箱 [EMAIL]' }] },
      ],
      metadata: { nested: { deeper: ['card [CARD]', 42, null, true] } },
    });
    expect(counts).toEqual({ phone: 1, email: 2, card: 1 });
    expect(Object.keys(value as object)).toEqual(['model', '[EMAIL]', 'messages', 'metadata']);
  });

  it('keeps two keys that redact to the same placeholder apart, and a `__proto__` key an own key', () => {
    const body = JSON.parse('{"13800138000":"a","13900139000":"b","__proto__":{"x@example.com":1}}') as Record<string, unknown>;
    const { value } = redactor.redactJson(body);
    expect(value).toEqual(JSON.parse('{"[PHONE]":"a","[PHONE] #2":"b","__proto__":{"[EMAIL]":1}}'));
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('redacts below 256 levels of nesting, keeping the shape', () => {
    let deep: unknown = { 'owner@example.com': 'call 13800138000' };
    for (let i = 0; i < 400; i++) deep = i % 2 ? [deep] : { next: deep };
    const { value, counts } = redactor.redactJson({ deep });
    const text = JSON.stringify(value);
    expect(text).not.toContain('13800138000');
    expect(text).not.toContain('owner@example.com');
    expect(text).toContain('{"[EMAIL]":"call [PHONE]"}');
    expect(counts).toEqual({ email: 1, phone: 1 });
  });

  it('cuts a subtree too deep to serialise instead of keeping it unread', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}"zhang@example.com"${']'.repeat(20_000)}`) as unknown;
    const { value } = redactor.redactJson({ deep, note: 'ok' });
    expect(JSON.stringify(value)).not.toContain('zhang@example.com');
    expect(JSON.stringify(value)).toContain(TOO_DEEP);
  });

  it('redacts inside tool-call arguments (JSON in a string) and keeps them parseable JSON', () => {
    const args = JSON.stringify({ to: 'li.ming@example.com', note: 'line1\nline2', ssn: '078-05-1120' });
    const msg = { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'send', arguments: args } }] };
    const { value, counts } = redactor.redactJson(msg);
    const out = (value as typeof msg).tool_calls[0]!.function.arguments;
    expect(JSON.parse(out)).toEqual({ to: '[EMAIL]', note: 'line1\nline2', ssn: '[SSN]' });
    expect(counts).toEqual({ email: 1, ssn: 1 });
  });

  it('never lets a finding run from one string into the next', () => {
    const body = { a: 'redis://u:abc', b: '@host.com x', c: 'card 4111 1111', d: '1111 1111 end', e: 'call 138', f: '0013 8000' };
    expect(redactor.redactJson(body)).toEqual({ value: body, counts: {} });
    const pem = { a: 'key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN', b: 'MIIEvQIBADAN and 13800138000' };
    expect(redactor.redactJson(pem)).toEqual({ value: { a: 'key [SECRET]', b: 'MIIEvQIBADAN and [PHONE]' }, counts: { secret: 1, phone: 1 } });
  });

  it('keeps an argument string byte for byte when nothing in it is PII', () => {
    const args = '{ "city": "Beijing",  "days": 3 }';
    const { value } = redactor.redactJson({ arguments: args });
    expect((value as { arguments: string }).arguments).toBe(args);
  });

  it('leaves the media payload of data URLs and bare base64 media blobs untouched', () => {
    // A PNG whose bytes happen to spell out AWS key ids: inside an image they are not PII (and scanning 7 MB is slow).
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString('base64');
    const payload = png + 'AKIAIOSFODNN7EXAMPLE/'.repeat(350_000);
    expect(redactor.redactText(payload.slice(16, 58)).counts).toEqual({ secret: 2 });
    const image = `data:image/png;base64,${payload}`;
    const blob = payload.slice(0, 4096);
    const body = { content: [{ type: 'image_url', image_url: { url: image } }, { type: 'text', text: 'a.b@example.com' }], b64_json: blob };
    const { value, counts } = redactor.redactJson(body);
    const v = value as typeof body;
    expect(v.content[0]).toBe(body.content[0]);
    expect(v.b64_json).toBe(blob);
    expect(v.content[1]).toEqual({ type: 'text', text: '[EMAIL]' });
    expect(counts).toEqual({ email: 1 });
  });

  it('scans base64-alphabet text that is not media, and what follows a data URL payload', () => {
    const path = `/v1/files/${'+8613800138000/4111111111111111/sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z/'.repeat(20)}`;
    expect(path.length).toBeGreaterThan(1024);
    expect(/^[A-Za-z0-9+/_-]+$/.test(path)).toBe(true);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString('base64');
    const body = { url: path, image: `data:image/png;base64,${png}AAAA zhang@example.com`, fake: `data:image/png;base64,${'4111111111111111/'.repeat(80)}` };
    const { value, counts } = redactor.redactJson(body);
    const text = JSON.stringify(value);
    for (const pii of ['13800138000', '4111111111111111', 'sk-proj-', 'zhang@example.com']) expect(text).not.toContain(pii);
    expect((value as typeof body).image).toBe(`data:image/png;base64,${png}AAAA [EMAIL]`);
    expect(counts).toMatchObject({ phone: 20, secret: 20, email: 1 });
  });

  it('finds full-width digits and letters', () => {
    const { value, counts } = redactor.redactJson({ content: '手机１３８００１３８０００，邮箱ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ' });
    expect(value).toEqual({ content: '手机[PHONE]，邮箱[EMAIL]' });
    expect(counts).toEqual({ phone: 1, email: 1 });
  });

  it('never mutates its input and returns the same object when nothing changed', () => {
    const input = { messages: [{ role: 'user', content: 'call +1 415 555 2671' }], tools: [{ name: 'x' }] };
    const snapshot = structuredClone(input);
    const frozen = Object.freeze(input);
    const { value } = redactor.redactJson(frozen);
    expect(input).toEqual(snapshot);
    expect(value).not.toBe(input);
    expect((value as typeof input).tools).toBe(input.tools);

    const clean = { messages: [{ role: 'user', content: 'hello there' }] };
    expect(redactor.redactJson(clean).value).toBe(clean);
  });

  it('redactText on JSON text (a raw stream) finds PII next to escapes and keeps the JSON valid', () => {
    const content = '电话\n13800138000\n邮箱:\tzhang@example.com\n卡 "4111 1111 1111 1111"\npassword="hunter2!"\n' +
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\n-----END PRIVATE KEY-----\nredis://u:p4ss\\w0rd@h';
    const raw = `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;
    const { text, counts } = redactor.redactText(raw);
    const parsed = JSON.parse(text.slice('data: '.length)) as { choices: [{ delta: { content: string } }] };
    expect(parsed.choices[0].delta.content).toBe(
      '电话\n[PHONE]\n邮箱:\t[EMAIL]\n卡 "[CARD]"\npassword="[SECRET]"\n[SECRET]\nredis://u:[SECRET]@h',
    );
    expect(counts).toEqual({ phone: 1, email: 1, card: 1, secret: 3 });
  });

  it('redacts the whole value under a credential key, but not logprob tokens or masked values', () => {
    const body = {
      password: 'correcthorse',
      'X-Api-Key': 'abcd-efgh',
      apiKey: '****',
      logprobs: { content: [{ token: 'Hello', logprob: -0.1 }] },
      arguments: JSON.stringify({ user: 'li', client_secret: 'plainwords' }),
    };
    const { value, counts } = redactor.redactJson(body);
    expect(value).toEqual({
      password: '[SECRET]',
      'X-Api-Key': '[SECRET]',
      apiKey: '****',
      logprobs: { content: [{ token: 'Hello', logprob: -0.1 }] },
      arguments: JSON.stringify({ user: 'li', client_secret: '[SECRET]' }),
    });
    expect(counts).toEqual({ secret: 3 });
    expect(createRedactor(['email']).redactJson(body).value).toBe(body);
  });

  it('redactText finds PII right after \\u escapes (Python json.dumps style) and leaves a trailing backslash', () => {
    const raw = '{"content": "\\u624b\\u673a13800138000, \\\\u1234 a.b@example.com\\"}\\';
    expect(redactor.redactText(raw).text).toBe('{"content": "\\u624b\\u673a[PHONE], \\\\u1234 [EMAIL]\\"}\\');
  });

  it('passes primitives through and redacts a top-level string', () => {
    expect(redactor.redactJson(null).value).toBeNull();
    expect(redactor.redactJson(12).value).toBe(12);
    expect(redactor.redactJson('mail a.b@example.com').value).toBe('mail [EMAIL]');
  });
});
