import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { StoredLog } from '@llm-relay/contracts';
import { genAiSpan } from './gen-ai-span.ts';
import type { SpanExportConfig } from './config.ts';

export interface SpanExport {
  /** queue one span per log; the batch processor sends them in the background */
  export(logs: StoredLog[]): void;
  /** send what is queued, then stop */
  shutdown(): Promise<void>;
}

const SCOPE = '@llm-relay/log-processor';
const propagator = new W3CTraceContextPropagator();

/**
 * Spans are made after the fact, from stored logs: each starts and ends at the exchange's own times, and
 * its parent is the client's `traceparent` (captured by the gateway), so the span sits inside the app's
 * trace under the call that made it. Export is best effort: a slow or absent receiver costs a bounded
 * queue (spans past it are dropped by the SDK), never a stored log.
 */
export function startSpanExport(config: SpanExportConfig, log: Logger): SpanExport {
  const exporterConfig = { url: config.url, headers: config.headers };
  const exporter: SpanExporter = config.protocol === 'http/json' ? new OtlpJsonExporter(exporterConfig) : new OtlpProtoExporter(exporterConfig);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName, [ATTR_SERVICE_VERSION]: '0.1.0' }),
    spanProcessors: [new BatchSpanProcessor({ exporter, maxQueueSize: 8192, maxExportBatchSize: 512, scheduledDelayMillis: config.scheduleDelayMs })],
  });
  const tracer = provider.getTracer(SCOPE);
  log.info({ url: config.url, protocol: config.protocol, bodies: config.bodyMaxChars !== null }, 'exporting OpenTelemetry spans');

  return {
    export(logs) {
      for (const l of logs) {
        try {
          const data = genAiSpan(l, { bodyMaxChars: config.bodyMaxChars });
          const parent = propagator.extract(ROOT_CONTEXT, l.request.headers, defaultTextMapGetter);
          const span = tracer.startSpan(data.name, { kind: SpanKind.CLIENT, startTime: l.timing.startedAt, attributes: data.attributes }, parent);
          if (data.bodies) {
            // the latest GenAI conventions' message shape: role + parts
            span.setAttribute('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: data.bodies.input }] }]));
            span.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: data.bodies.output }] }]));
          }
          if (data.errorType) span.setStatus({ code: SpanStatusCode.ERROR, message: data.errorMessage ?? data.errorType });
          span.end(l.timing.endedAt);
        } catch (err) {
          log.warn({ err, logId: l.id }, 'could not make a span for a stored log');
        }
      }
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
