import { describe, expect, it } from 'vitest';
import { makeLog } from '@llm-relay/testkit';
import { readEnv } from '../../env.ts';
import { genAiSpan } from './gen-ai-span.ts';
import { spanExportConfig } from './config.ts';

const base = { REDIS_URL: 'redis://127.0.0.1:6379', DATABASE_URL: 'sqlite::memory:' };

describe('OTel export settings', () => {
  it('no endpoint: no exporter at all', () => {
    expect(spanExportConfig(readEnv(base))).toBeNull();
  });
  it('the generic endpoint gets /v1/traces, the traces endpoint is used as is, headers are URL-decoded', () => {
    const c = spanExportConfig(readEnv({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/', OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%2Cb, x=1' }));
    expect(c).toMatchObject({ url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', headers: { 'api-key': 'a,b', x: '1' }, bodyMaxChars: null });
    const t = spanExportConfig(readEnv({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }));
    expect(t).toMatchObject({ url: 'http://b:4318/traces', protocol: 'http/json' });
  });
  it('rejects grpc and malformed headers naming the variable', () => {
    expect(() => readEnv({ ...base, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => readEnv({ ...base, OTEL_EXPORTER_OTLP_HEADERS: 'novalue' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
  });
});

describe('genAiSpan', () => {
  it('bodies only when asked, cut at the cap', () => {
    const log = makeLog({
      request: { headers: {}, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(50) }] }, bytes: 80, truncated: false },
      response: { headers: {}, body: { id: 'r1', model: 'gpt-4o-mini', choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'short' } }] }, bytes: 40, truncated: false, rawStream: null },
    });
    expect(genAiSpan(log, { bodyMaxChars: null }).bodies).toBeNull();
    const withBodies = genAiSpan(log, { bodyMaxChars: 10 });
    expect(withBodies.bodies).toEqual({ input: `${'x'.repeat(9)}…`, output: 'short' });
    expect(withBodies.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
  });
  it('a timeout without an HTTP error status is an error typed by its outcome; a model list has no GenAI operation', () => {
    const timedOut = genAiSpan(makeLog({ outcome: 'timeout', status: 200, error: 'upstream timed out' }), { bodyMaxChars: null });
    expect(timedOut).toMatchObject({ errorType: 'timeout', errorMessage: 'upstream timed out' });
    const models = genAiSpan(makeLog({ route: 'models', method: 'GET' }), { bodyMaxChars: null });
    expect(models.name).toBe('GET models');
    expect(models.attributes['gen_ai.operation.name']).toBeUndefined();
  });
});
