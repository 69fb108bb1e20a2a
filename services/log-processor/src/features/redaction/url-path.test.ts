import { describe, expect, it } from 'vitest';
import { createRedactor } from './index.ts';
import { redactUrlPath } from './url-path.ts';

const r = createRedactor();
const redact = (p: string) => redactUrlPath(p, (t) => r.redactText(t).text);

describe('redactUrlPath', () => {
  it('redacts percent- and form-encoded query values and plain ones', () => {
    expect(redact('/v1/chat/completions?email=qa.lead%40example.com&phone=13800138000&q=%2B86+138+0013+8000')).toBe(
      '/v1/chat/completions?email=[EMAIL]&phone=[PHONE]&q=[PHONE]',
    );
  });
  it('leaves a path without PII, and an invalid escape, as they are', () => {
    expect(redact('/v1/models')).toBe('/v1/models');
    expect(redact('/v1/files/file-abc?x=a%ZZ')).toBe('/v1/files/file-abc?x=a%ZZ');
  });
});
