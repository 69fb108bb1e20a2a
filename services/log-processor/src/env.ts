import { hostname } from 'node:os';
import { z } from 'zod';
import { booleanFromEnv, parseEnv, portFromEnv, sharedEnvShape } from '@llm-relay/config';

// The exporters speak OTLP over HTTP only: gRPC would pull in a second transport stack for the same spans.
const otlpProtocol = z.enum(['http/protobuf', 'http/json']);

/** The OTel header list format: comma-separated `key=value` pairs with URL-encoded values. */
const otlpHeaders = z.string().transform((raw, ctx) => {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      ctx.addIssue({ code: 'custom', message: `expected key=value pairs, got "${pair.trim()}"` });
      return z.NEVER;
    }
    try {
      out[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: `bad URL encoding in "${pair.trim()}"` });
      return z.NEVER;
    }
  }
  return out;
});

export const ProcessorEnvSchema = z.object({
  ...sharedEnvShape,
  /** health and metrics only */
  PROCESSOR_PORT: portFromEnv.default(8090),
  PROCESSOR_HOST: z.string().default('0.0.0.0'),
  /** jobs held at once (a gateway's job is a batch of up to ~1 MiB of events); above the batch size so single-event jobs fill batches too */
  PROCESSOR_CONCURRENCY: z.coerce.number().int().min(1).max(5000).default(256),
  /** flush a batch when it holds this many logs ... */
  PROCESSOR_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(100),
  /** ... or when its oldest log has waited this long */
  PROCESSOR_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(10_000).default(50),
  /** ... or when its logs' bodies add up to this many bytes */
  PROCESSOR_BATCH_MAX_BYTES: z.coerce.number().int().min(1).default(32 * 1024 * 1024),
  /**
   * BullMQ lock of a held job, renewed every half of it; stalled checks run every half too, so a killed
   * replica's jobs are redelivered within about 1.5× this
   */
  PROCESSOR_LOCK_MS: z.coerce.number().int().min(1000).default(5000),
  /** how often this replica writes its heartbeat; admin shows it stale after two missed beats */
  HEARTBEAT_MS: z.coerce.number().int().min(100).default(5000),
  /** this replica's name in heartbeats and metrics; default host-pid */
  PROCESSOR_ID: z.string().min(1).default(`${hostname()}-${process.pid}`),
  /** keep embedding vectors in stored logs (off: count and dimensions only) */
  PROCESSOR_KEEP_EMBEDDINGS: booleanFromEnv.default(false),
  /** how often retention runs (one replica at a time) */
  RETENTION_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(300),
  RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /** how often to complete roll-ups of batches a crashed replica left half-done (MongoDB without transactions) */
  ROLLUP_RECOVERY_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(60),
  /** a half-done batch younger than this is left to its writer (must exceed the slowest batch write) */
  ROLLUP_RECOVERY_GRACE_SECONDS: z.coerce.number().int().min(0).default(300),
  // OpenTelemetry export: the standard OTel variables (https://opentelemetry.io/docs/specs/otel/protocol/exporter/).
  // With no endpoint set no SDK is started at all.
  /** base URL of an OTLP/HTTP receiver; spans go to <endpoint>/v1/traces */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** the full traces URL; wins over OTEL_EXPORTER_OTLP_ENDPOINT */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.default('http/protobuf'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  /** `key=value,key2=value2` (values URL-encoded), sent with every export, e.g. a vendor's API key */
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders.default({}),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: otlpHeaders.default({}),
  OTEL_SERVICE_NAME: z.string().min(1).default('llm-relay'),
  /** the batch span processor's export interval (the OTel variable; 1 s here rather than the SDK's 5 s) */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).max(600_000).default(1000),
  /** also export the (redacted) prompt and answer text on each span; off: metadata only */
  OTEL_EXPORT_BODIES: booleanFromEnv.default(false),
  /** cap on each exported text when OTEL_EXPORT_BODIES is on */
  OTEL_EXPORT_BODY_MAX_CHARS: z.coerce.number().int().min(1).max(1_000_000).default(8192),
  /** how long a budget alert webhook may take to answer before the attempt counts as failed */
  BUDGET_ALERT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  /** first retry delay of a failed budget alert (doubled each attempt, 5 attempts) */
  BUDGET_ALERT_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
  /** TEST ONLY: SIGKILL this process right after a batch's logs are written, before their roll-ups */
  PROCESSOR_TEST_SIGKILL_AFTER_LOG_INSERT: booleanFromEnv.default(false),
});
export type ProcessorEnv = z.infer<typeof ProcessorEnvSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): ProcessorEnv {
  return parseEnv(ProcessorEnvSchema, env);
}
