import type { ProcessorEnv } from '../../env.ts';

// Kept apart from span-export.ts so that a processor without an endpoint never loads the OpenTelemetry SDK.

export interface SpanExportConfig {
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  serviceName: string;
  scheduleDelayMs: number;
  bodyMaxChars: number | null;
}

/** The exporter settings from the standard OTel variables; null when no endpoint is set (nothing is started). */
export function spanExportConfig(env: ProcessorEnv): SpanExportConfig | null {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // the signal-specific URL is used as is; the generic one names the receiver's root (spec: append v1/traces)
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : null);
  if (!url) return null;
  return {
    url,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL,
    headers: { ...env.OTEL_EXPORTER_OTLP_HEADERS, ...env.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    serviceName: env.OTEL_SERVICE_NAME,
    scheduleDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    bodyMaxChars: env.OTEL_EXPORT_BODIES ? env.OTEL_EXPORT_BODY_MAX_CHARS : null,
  };
}
