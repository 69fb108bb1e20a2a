import { z } from 'zod';

/**
 * The exchange event: what a gateway captured about one request, sent to the log processor as a
 * BullMQ job on the `exchanges` queue (job id = event id). This is a cross-service contract:
 * change it only by adding optional fields, with a comment saying which in-flight jobs they cover.
 */
export const EXCHANGE_EVENT_VERSION = 1 as const;

export const ROUTES = [
  'chat.completions',
  'responses',
  'embeddings',
  'completions',
  'models',
  'messages',
  'passthrough',
] as const;
export const RouteSchema = z.enum(ROUTES);
export type Route = z.infer<typeof RouteSchema>;

export const OUTCOMES = ['ok', 'upstream_error', 'timeout', 'client_abort', 'gateway_error', 'rejected'] as const;
export const OutcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof OutcomeSchema>;

export const RelayKeyRefSchema = z.object({
  id: z.string(),
  prefix: z.string(),
  name: z.string(),
  /** the key's project when the call was made; added with projects, older in-flight events have none */
  projectId: z.string().optional(),
});
export type RelayKeyRef = z.infer<typeof RelayKeyRefSchema>;

export const AttemptSchema = z.object({
  provider: z.string(),
  /** upstream HTTP status, or null when no response arrived (connection error, timeout) */
  status: z.number().int().nullable(),
  error: z.string().optional(),
  startedAt: z.number(),
  durationMs: z.number(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

/** A body as captured: raw text up to the capture limit, or a summary for binary/multipart bodies. */
export const CapturedBodySchema = z.object({
  /** raw text (JSON, or raw SSE text for a streamed response); absent for binary bodies */
  text: z.string().optional(),
  /** base64 of a binary body when binary capture is on (off by default) */
  base64: z.string().optional(),
  contentType: z.string().optional(),
  bytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
  /** for binary and multipart bodies: what they contained, never the content itself */
  summary: z
    .object({
      sha256: z.string().optional(),
      files: z.array(z.object({ field: z.string(), filename: z.string(), contentType: z.string().optional(), bytes: z.number() })).optional(),
      fields: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
});
export type CapturedBody = z.infer<typeof CapturedBodySchema>;

/** Bounds of attribution a client may send (x-relay-* headers, body `user`/`metadata`); out of bounds is a 400. */
export const ATTRIBUTION_LIMITS = {
  maxTags: 20,
  maxTagChars: 64,
  maxProperties: 32,
  propertyNamePattern: /^[a-z0-9_-]{1,64}$/,
  maxPropertyValueChars: 256,
  maxIdChars: 256,
} as const;

/**
 * Who and what an exchange belongs to, read by the gateway from `x-relay-*` headers and the body's
 * `user`/`metadata`. Absent on events from gateways older than attribution (the processor treats that as none).
 */
export const AttributionSchema = z.object({
  user: z.string().optional(),
  session: z.string().optional(),
  tags: z.array(z.string()).optional(),
  properties: z.record(z.string(), z.string()).optional(),
  /** from `x-relay-prompt: name[@version]`; an explicit prompt id wins over detection */
  prompt: z.object({ name: z.string(), version: z.string().optional() }).optional(),
});
export type Attribution = z.infer<typeof AttributionSchema>;

export const ExchangeEventSchema = z.object({
  v: z.literal(EXCHANGE_EVENT_VERSION),
  /** UUIDv7; also the stored log's primary key and the BullMQ job id */
  id: z.string().min(1),
  /** which gateway replica produced it */
  gatewayId: z.string().optional(),
  /**
   * the gateway replica that keeps this event in its journal until it is stored, when it is not
   * `gatewayId` (a replica that adopted the journal of a stopped one); the processor acknowledges the
   * stored event to `ackTo ?? gatewayId`. Events without either are simply not acknowledged.
   */
  ackTo: z.string().optional(),
  startedAt: z.number(),
  upstreamHeadersAt: z.number().nullable(),
  firstByteAt: z.number().nullable(),
  endedAt: z.number(),
  route: RouteSchema,
  key: RelayKeyRefSchema.nullable(),
  provider: z.string().nullable(),
  /** the model the client asked for */
  model: z.string().nullable(),
  /** the model name sent upstream after alias rewriting */
  upstreamModel: z.string().nullable(),
  attempts: z.array(AttemptSchema),
  request: z.object({
    method: z.string(),
    path: z.string(),
    headers: z.record(z.string(), z.string()),
    body: CapturedBodySchema,
  }),
  response: z.object({
    status: z.number().int(),
    headers: z.record(z.string(), z.string()),
    stream: z.boolean(),
    body: CapturedBodySchema,
    /** true when the gateway removed a usage chunk it had asked for itself (stream_options injection) */
    usageInjected: z.boolean().optional(),
  }),
  outcome: OutcomeSchema,
  error: z.string().optional(),
  clientIp: z.string().optional(),
  userAgent: z.string().optional(),
  /** added with attribution; older in-flight events have none */
  attribution: AttributionSchema.optional(),
});
export type ExchangeEvent = z.infer<typeof ExchangeEventSchema>;

/**
 * The data of an `exchange-batch` job (EXCHANGE_BATCH_JOB_NAME): events in journal order. Each event is
 * validated on its own against ExchangeEventSchema, so one invalid event does not fail the others.
 */
export const ExchangeBatchJobSchema = z.object({ events: z.array(z.unknown()).min(1) });
export type ExchangeBatchJob = z.infer<typeof ExchangeBatchJobSchema>;

/** Request/response headers that may enter an event. Everything else (authorization, cookies, provider keys) never does. */
export const CAPTURED_HEADER_ALLOWLIST = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'accept',
  'user-agent',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'openai-version',
  'openai-processing-ms',
  'anthropic-version',
  'anthropic-beta',
  'x-request-id',
  'x-stainless-lang',
  'x-stainless-package-version',
  'x-stainless-os',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-retry-count',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
  'retry-after',
  // W3C trace context, so the log processor's OpenTelemetry span joins the client's trace
  'traceparent',
  'tracestate',
]);

/**
 * The deepest nesting of a JSON request body the gateway accepts (400 past it). The log processor cuts
 * anything deeper (from an older gateway, or a response) at the same depth, so every walk over a stored
 * body is bounded: no real request comes near it, while 10,000 levels overflow recursive code.
 */
export const JSON_DEPTH_MAX = 128;
