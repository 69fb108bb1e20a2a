import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTION_TYPES } from './index.ts';

const redactor = createRedactor(REDACTION_TYPES);

describe('redactJson', () => {
  it('redacts strings at any depth, including content-part arrays, and leaves keys alone', () => {
    const body = {
      model: 'gpt-4o',
      'a.b@example.com': 'the key is an e-mail address and stays',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: [{ type: 'text', text: '我的手机是13800138000，邮箱 zhang@example.com' }] },
      ],
      metadata: { nested: { deeper: ['card 4111 1111 1111 1111', 42, null, true] } },
    };
    const { value, counts } = redactor.redactJson(body);
    expect(value).toEqual({
      model: 'gpt-4o',
      'a.b@example.com': 'the key is an e-mail address and stays',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: [{ type: 'text', text: '我的手机是[PHONE]，邮箱 [EMAIL]' }] },
      ],
      metadata: { nested: { deeper: ['card [CARD]', 42, null, true] } },
    });
    expect(counts).toEqual({ phone: 1, email: 1, card: 1 });
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

  it('leaves data URLs and bare base64 blobs untouched', () => {
    // The payload spells out AWS key ids; inside an image they are not PII (and scanning 7 MB is slow).
    const payload = 'AKIAIOSFODNN7EXAMPLE/'.repeat(350_000);
    expect(redactor.redactText(payload.slice(0, 42)).counts).toEqual({ secret: 2 });
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
