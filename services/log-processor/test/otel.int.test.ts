import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver.ts';

// The relay as real processes (gateway + processor) exporting to an OTLP/HTTP receiver this test runs,
// once per protocol; the client is the official openai SDK sending a W3C traceparent.
for (const protocol of ['http/protobuf', 'http/json'] as const) {
  describe(`OpenTelemetry GenAI spans (${protocol})`, () => {
    let receiver: OtlpReceiver;
    let stack: RelayStack;
    let client: OpenAI;
    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      stack = await startRelayStack({
        label: `otel-${protocol.replace('/', '-')}`,
        parts: ['gateway', 'processor'],
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_EXPORTER_OTLP_HEADERS: 'x-otlp-token=s%3Dcret',
          OTEL_SERVICE_NAME: 'relay-under-test',
        },
      });
      client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
    }, 120_000);
    afterAll(async () => {
      await stack?.stop();
      await receiver?.close();
    });

    const spanFor = (logId: string) => waitFor(() => receiver.spans.find((s) => s.attributes['llm_relay.log_id'] === logId), { what: `span of log ${logId}`, timeoutMs: 30_000 });
    const traceContext = () => {
      const traceId = randomBytes(16).toString('hex');
      const parentId = randomBytes(8).toString('hex');
      return { traceId, parentId, headers: { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'app=1' } };
    };

    it('a chat completion becomes a CLIENT span in the caller trace with the GenAI attributes and the attribution', async () => {
      const tc = traceContext();
      const { data, response } = await client.chat.completions
        .create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'say something about otel' }] },
          { headers: { ...tc.headers, 'x-relay-user': 'alice', 'x-relay-session': 'sess-42', 'x-relay-tags': 'beta,otel' } },
        )
        .withResponse();
      const logId = response.headers.get('x-relay-log-id');
      expect(logId).toBeTruthy();
      const span: ReceivedSpan = await spanFor(logId!);
      expect(span.traceId).toBe(tc.traceId);
      expect(span.parentSpanId).toBe(tc.parentId);
      expect(span.spanId).not.toBe(tc.parentId);
      expect(span.kind).toBe(3);
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.status.code).not.toBe(2);
      expect(span.endMs).toBeGreaterThanOrEqual(span.startMs);
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': data.model,
        'gen_ai.response.id': data.id,
        'gen_ai.response.finish_reasons': [data.choices[0]!.finish_reason],
        'gen_ai.usage.input_tokens': data.usage!.prompt_tokens,
        'gen_ai.usage.output_tokens': data.usage!.completion_tokens,
        'user.id': 'alice',
        'session.id': 'sess-42',
        'llm_relay.tags': ['beta', 'otel'],
        'llm_relay.outcome': 'ok',
        'http.response.status_code': 200,
      });
      expect(typeof span.attributes['llm_relay.cost.usd']).toBe('number');
      // bodies stay out unless OTEL_EXPORT_BODIES is set
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.resource['service.name']).toBe('relay-under-test');
      expect(receiver.contentTypes.at(-1)).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      expect(receiver.headers.at(-1)?.['x-otlp-token']).toBe('s=cret');
    });

    it('a failed call is a span with error status and error.type; embeddings have their own operation', async () => {
      const tc = traceContext();
      const failed = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fail please' }] }, { headers: { ...tc.headers, 'x-mock-status': '400' } })
        .withResponse()
        .then(
          () => null,
          (err: unknown) => err as InstanceType<typeof OpenAI.APIError>,
        );
      expect(failed?.status).toBe(400);
      const logId = failed!.headers?.get('x-relay-log-id');
      expect(logId).toBeTruthy();
      const span = await spanFor(logId!);
      expect(span.traceId).toBe(tc.traceId);
      expect(span.parentSpanId).toBe(tc.parentId);
      expect(span.status.code).toBe(2); // STATUS_CODE_ERROR
      expect(span.status.message).not.toBe('');
      expect(span.attributes['error.type']).toBe('400');

      const emb = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'vector me' }).withResponse();
      const embSpan = await spanFor(emb.response.headers.get('x-relay-log-id')!);
      expect(embSpan.attributes['gen_ai.operation.name']).toBe('embeddings');
      // no traceparent: the span starts a trace of its own
      expect(embSpan.parentSpanId).toBe('');
      expect(embSpan.traceId).toMatch(/^[0-9a-f]{32}$/);
    });
  });
}

describe('OpenTelemetry spans at shutdown', () => {
  let receiver: OtlpReceiver;
  let stack: RelayStack;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // an export interval far past the test: only the shutdown flush can deliver the span
    stack = await startRelayStack({ label: 'otel-shutdown', parts: ['gateway', 'processor'], env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '600000' } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('spans still queued when the processor is stopped are sent before it exits', async () => {
    const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.proxyKey, maxRetries: 0 });
    const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'last words' }] }).withResponse();
    const logId = response.headers.get('x-relay-log-id')!;
    await waitFor(async () => /^llmrelay_processor_logs_inserted_total [1-9]/m.test(await (await fetch(`${stack.processorUrl}/metrics`)).text()), { what: 'log stored' });
    expect(receiver.spans).toHaveLength(0);
    await stack.stopPart('processor');
    expect(receiver.spans.map((s) => s.attributes['llm_relay.log_id'])).toEqual([logId]);
  });
});
