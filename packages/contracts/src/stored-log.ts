import { z } from 'zod';
import { AttemptSchema, OutcomeSchema, RelayKeyRefSchema, RouteSchema } from './exchange-event.ts';

export const USAGE_SOURCES = ['provider', 'injected', 'estimated', 'missing'] as const;

export const UsageSchema = z.object({
  prompt: z.number().int().nullable(),
  completion: z.number().int().nullable(),
  total: z.number().int().nullable(),
  cached: z.number().int().nullable(),
  reasoning: z.number().int().nullable(),
  source: z.enum(USAGE_SOURCES),
});
export type Usage = z.infer<typeof UsageSchema>;

export const CostSchema = z.object({
  usd: z.number().nullable(),
  /** the price used (USD per 1M tokens), so a later price change does not silently rewrite history */
  price: z
    .object({ model: z.string(), input: z.number(), cachedInput: z.number().optional(), output: z.number(), source: z.enum(['table', 'override']) })
    .nullable(),
});
export type Cost = z.infer<typeof CostSchema>;

export const LatencySchema = z.object({
  total: z.number(),
  ttft: z.number().nullable(),
  upstream: z.number().nullable(),
});

/** Attribution as stored: always present on logs stored after attribution landed (empty when none was sent). */
export const StoredAttributionSchema = z.object({
  user: z.string().nullable(),
  session: z.string().nullable(),
  tags: z.array(z.string()),
  properties: z.record(z.string(), z.string()),
});
export type StoredAttribution = z.infer<typeof StoredAttributionSchema>;

/** The prompt family and version an exchange's instructions belong to (detected, or named by `x-relay-prompt`). */
export const LogPromptRefSchema = z.object({
  familyId: z.string(),
  versionId: z.string(),
  familyName: z.string(),
  /** "v1", "v2", … by first seen, or the explicit version from `x-relay-prompt` */
  versionLabel: z.string(),
  source: z.enum(['detected', 'explicit']),
});
export type LogPromptRef = z.infer<typeof LogPromptRefSchema>;

/** One score per (log, name); the last one written wins. */
export const ScoreSchema = z.object({
  value: z.number(),
  comment: z.string().optional(),
  at: z.number(),
  by: z.enum(['key', 'admin']),
});
export type Score = z.infer<typeof ScoreSchema>;

/** The fields list views read: metadata and previews, never bodies. */
export const LogListItemSchema = z.object({
  id: z.string(),
  createdAt: z.number(),
  route: RouteSchema,
  method: z.string(),
  path: z.string(),
  model: z.string().nullable(),
  upstreamModel: z.string().nullable(),
  provider: z.string().nullable(),
  key: RelayKeyRefSchema.nullable(),
  status: z.number().int(),
  outcome: OutcomeSchema,
  stream: z.boolean(),
  incomplete: z.boolean(),
  error: z.string().nullable(),
  usage: UsageSchema,
  cost: CostSchema,
  latency: LatencySchema,
  requestPreview: z.string(),
  responsePreview: z.string(),
  clientIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  gatewayId: z.string().nullable(),
  /** optional: logs stored before attribution have none */
  attribution: StoredAttributionSchema.optional(),
  prompt: LogPromptRefSchema.nullable().optional(),
  scores: z.record(z.string(), ScoreSchema).optional(),
});
export type LogListItem = z.infer<typeof LogListItemSchema>;

/** One stored document per exchange; `id` = exchange event id. */
export const StoredLogSchema = LogListItemSchema.extend({
  timing: z.object({
    startedAt: z.number(),
    upstreamHeadersAt: z.number().nullable(),
    firstByteAt: z.number().nullable(),
    endedAt: z.number(),
  }),
  attempts: z.array(AttemptSchema),
  request: z.object({
    headers: z.record(z.string(), z.string()),
    /** parsed JSON when the body was JSON, else the text or a summary */
    body: z.unknown(),
    bytes: z.number(),
    truncated: z.boolean(),
  }),
  response: z.object({
    headers: z.record(z.string(), z.string()),
    /** the reassembled response (a chat.completion for a chat stream) */
    body: z.unknown(),
    bytes: z.number(),
    truncated: z.boolean(),
    /** raw SSE text, only when settings.keepRawStream is on */
    rawStream: z.string().nullable(),
  }),
  redactions: z.record(z.string(), z.number()),
  /** plain text of the prompt and the answer (redacted like the bodies) for full-text search; never sent to clients */
  searchText: z.string().optional(),
  /** set when bodies were removed by retention */
  bodiesExpired: z.boolean().optional(),
});
export type StoredLog = z.infer<typeof StoredLogSchema>;

/** Filters shared by the admin API, the export, and the live stream. */
export const LogFilterSchema = z.object({
  from: z.coerce.number().optional(),
  to: z.coerce.number().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
  keyId: z.string().optional(),
  /** the project of the key the call was made with (log.key.projectId, as it was at the time of the call) */
  projectId: z.string().min(1).max(200).optional(),
  status: z.coerce.number().int().optional(),
  outcome: OutcomeSchema.optional(),
  route: RouteSchema.optional(),
  stream: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  errorsOnly: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  q: z.string().min(1).optional(),
  user: z.string().min(1).max(256).optional(),
  session: z.string().min(1).max(256).optional(),
  tag: z.string().min(1).max(64).optional(),
  /** prompt family id (log.prompt.familyId) */
  prompt: z.string().min(1).max(200).optional(),
  /** prompt version id (log.prompt.versionId) */
  promptVersion: z.string().min(1).max(200).optional(),
  /** has at least one score (true) or none (false) */
  scored: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** `property.<name>=<value>` in a query string (see foldLogFilterQuery); every one must match */
  properties: z.record(z.string().regex(/^[a-z0-9_-]{1,64}$/), z.string().max(256)).optional(),
  /** `score.<name>.min` / `score.<name>.max` in a query string (inclusive bounds); a log without that score does not match */
  scores: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.object({ min: z.coerce.number().optional(), max: z.coerce.number().optional() })).optional(),
});
export type LogFilter = z.infer<typeof LogFilterSchema>;

const PROPERTY_KEY = /^property\.(.+)$/;
const SCORE_KEY = /^score\.(.+)\.(min|max)$/;

/**
 * Query strings carry the open-ended filters as dotted keys (`property.team=search`, `score.score.min=0.5`):
 * this folds them into LogFilter's `properties` and `scores` before validation. Other keys are left as they are.
 */
export function foldLogFilterQuery(q: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | null = null;
  for (const k in q) {
    const p = PROPERTY_KEY.exec(k);
    const s = p ? null : SCORE_KEY.exec(k);
    if (!p && !s) continue;
    out ??= { ...q };
    delete out[k];
    if (p) ((out.properties ??= {}) as Record<string, unknown>)[p[1]!] = q[k];
    else ((((out.scores ??= {}) as Record<string, Record<string, unknown>>)[s![1]!] ??= {})[s![2]!] = q[k]);
  }
  return out ?? q;
}
