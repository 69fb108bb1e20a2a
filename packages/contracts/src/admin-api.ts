import { z } from 'zod';
import { BudgetSchema } from './budget.ts';
import { KEY_STATUSES, KeyLimitsSchema, ProviderSchema } from './gateway-config.ts';
import { LogListItemSchema } from './stored-log.ts';

/**
 * Answers of the admin API (docs/admin-api.md) that both sides read: admin declares its route schemas
 * (and so its OpenAPI document) with these, the web UI types its requests with what they infer.
 */

export const RoleSchema = z.enum(['admin', 'viewer']);
export type Role = z.infer<typeof RoleSchema>;

export const MeSchema = z.object({ username: z.string(), role: RoleSchema });
export type Me = z.infer<typeof MeSchema>;

export const LoginAnswerSchema = z.object({ token: z.string(), expiresAt: z.number(), user: MeSchema });
export type LoginAnswer = z.infer<typeof LoginAnswerSchema>;

/** A provider with its API keys masked (`sk-…abcd`). */
export const ProviderViewSchema = ProviderSchema.extend({ apiKeyCount: z.number().int() });
export type ProviderView = z.infer<typeof ProviderViewSchema>;

export const ProviderTestAnswerSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  status: z.number().nullable(),
  error: z.string().nullable(),
  models: z.array(z.string()).optional(),
});
export type ProviderTestAnswer = z.infer<typeof ProviderTestAnswerSchema>;

/** A relay key as listed: never its hash or secret. */
export const KeyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  status: z.enum(KEY_STATUSES),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  allowedModels: z.array(z.string()),
  limits: KeyLimitsSchema,
  defaultProvider: z.string().optional(),
  /** the project the key belongs to, null when none */
  projectId: z.string().nullable(),
  /** the key's own spend limit, null when none */
  budget: BudgetSchema.nullable(),
  lastUsedAt: z.number().nullable(),
  usage: z.object({ requests: z.number(), tokens: z.number(), costUsd: z.number() }),
});
export type KeyView = z.infer<typeof KeyViewSchema>;

const KeyModelListSchema = z.array(z.string().min(1).max(200)).max(1000);

/** The body of POST /admin/api-keys. */
export const KeyCreateBodySchema = z.strictObject({
  name: z.string().min(1).max(200),
  expiresAt: z.number().int().positive().nullable().optional(),
  allowedModels: KeyModelListSchema.optional(),
  limits: KeyLimitsSchema.optional(),
  defaultProvider: z.string().min(1).optional(),
  /** the project the key belongs to (at most one) */
  projectId: z.string().min(1).nullable().optional(),
  /** the key's own spend limit per period */
  budget: BudgetSchema.nullable().optional(),
});
export type KeyCreateBody = z.infer<typeof KeyCreateBodySchema>;

/** The body of PATCH /admin/api-keys/:id: only the fields sent change; `defaultProvider: null` removes it. */
export const KeyPatchBodySchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  status: z.enum(KEY_STATUSES).optional(),
  expiresAt: z.number().int().positive().nullable().optional(),
  allowedModels: KeyModelListSchema.optional(),
  limits: KeyLimitsSchema.optional(),
  defaultProvider: z.string().min(1).nullable().optional(),
  /** `null` takes the key out of its project / removes its budget */
  projectId: z.string().min(1).nullable().optional(),
  budget: BudgetSchema.nullable().optional(),
});
export type KeyPatchBody = z.infer<typeof KeyPatchBodySchema>;

/** The answer to creating or rotating a key: the only time the secret is shown. */
export const KeyWithSecretSchema = z.object({ key: KeyViewSchema, secret: z.string() });
export type KeyWithSecret = z.infer<typeof KeyWithSecretSchema>;

const statsPointShape = {
  count: z.number(),
  errors: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  costUsd: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  /** average of the score named by `score=` (default "score") over the scored logs; null when none is scored */
  scoreAvg: z.number().nullable().optional(),
  /** how many logs carry that score */
  scoreCount: z.number().optional(),
};
export const StatsValuesSchema = z.object(statsPointShape);
export type StatsValues = z.infer<typeof StatsValuesSchema>;
export const StatsPointSchema = z.object({ t: z.number(), ...statsPointShape });
export type StatsPoint = z.infer<typeof StatsPointSchema>;
/** `label`: for dim=key, the key's name (the value is its id) */
export const StatsBreakdownSchema = z.object({ value: z.string(), label: z.string().optional(), ...statsPointShape });
export type StatsBreakdown = z.infer<typeof StatsBreakdownSchema>;
export const StatsAnswerSchema = z.object({
  series: z.array(StatsPointSchema),
  breakdown: z.array(StatsBreakdownSchema),
  /** with `values=a,b`: each of those values of `dim` over time (the Compare view's charts) */
  seriesByValue: z.record(z.string(), z.array(StatsPointSchema)).optional(),
});
export type Stats = z.infer<typeof StatsAnswerSchema>;

/** A session (`x-relay-session`) as listed: summed as its logs are stored. */
export const SessionSummarySchema = z.object({
  id: z.string(),
  firstAt: z.number(),
  lastAt: z.number(),
  count: z.number(),
  /** distinct users seen in the session (at most 20) */
  users: z.array(z.string()),
  tokens: z.number(),
  costUsd: z.number(),
  errors: z.number(),
});
export type SessionSummaryView = z.infer<typeof SessionSummarySchema>;
export const SessionPageSchema = z.object({ items: z.array(SessionSummarySchema), nextCursor: z.string().nullable() });
export const SessionDetailSchema = z.object({
  id: z.string(),
  totals: SessionSummarySchema.omit({ id: true }),
  /** the session's logs (list view) oldest first, at most 1,000 (the latest ones) */
  logs: z.array(LogListItemSchema),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

export const SystemAnswerSchema = z.object({
  /** `stale`: silent for more than two heartbeats (see isHeartbeatStale), or its heartbeat is unreadable */
  gateways: z.array(z.object({ id: z.string(), startedAt: z.number().nullable(), lastSeen: z.number().nullable(), stale: z.boolean(), inflight: z.number(), journalBytes: z.number(), dropped: z.number(), unstored: z.number() })),
  processors: z.array(
    z.object({
      id: z.string(),
      startedAt: z.number().nullable(),
      lastSeen: z.number().nullable(),
      stale: z.boolean(),
      processed: z.number(),
      failed: z.number(),
      /** since when the store refuses this processor's writes (consumption paused); null when it accepts them */
      storeUnavailableSince: z.number().nullable(),
    }),
  ),
  queue: z.object({ waiting: z.number(), active: z.number(), delayed: z.number(), failed: z.number(), completed: z.number() }),
  store: z.object({ kind: z.enum(['sqlite', 'mongodb']), features: z.object({ ttlIndexes: z.boolean(), textSearch: z.boolean(), server: z.string().optional() }) }),
  proxyBaseUrl: z.string(),
  version: z.string(),
});
export type SystemInfo = z.infer<typeof SystemAnswerSchema>;

export const ReplayAnswerSchema = z.object({ status: z.number(), body: z.unknown(), latencyMs: z.number() });
export type ReplayAnswer = z.infer<typeof ReplayAnswerSchema>;

/**
 * Totals of a prompt family or version over its whole life (lifetime roll-ups, never a scan of logs):
 * `tokens` = prompt + completion tokens; p50/p95 in ms from the latency histogram; `errorRate` = errors /
 * count; `scoreAvg` of the score named `score`; each null when there is nothing to average.
 */
const promptStatsShape = {
  count: z.number(),
  firstAt: z.number().nullable(),
  lastAt: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  tokens: z.number(),
  costUsd: z.number(),
  errorRate: z.number().nullable(),
  scoreAvg: z.number().nullable(),
};
export const PromptStatsSchema = z.object(promptStatsShape);
export type PromptStats = z.infer<typeof PromptStatsSchema>;

/** `source`: detected from traffic, or named by the client's `x-relay-prompt` */
const promptSourceSchema = z.enum(['detected', 'explicit']);
export const PromptFamilyItemSchema = z.object({ id: z.string(), name: z.string(), source: promptSourceSchema, versionCount: z.number(), ...promptStatsShape });
export type PromptFamilyItem = z.infer<typeof PromptFamilyItemSchema>;
export const PromptListAnswerSchema = z.object({ items: z.array(PromptFamilyItemSchema), nextCursor: z.string().nullable() });
export type PromptList = z.infer<typeof PromptListAnswerSchema>;

/** `label`: "v1", "v2", … by first seen, or the client's explicit version; `text`: the normalised template */
export const PromptVersionViewSchema = z.object({ id: z.string(), label: z.string(), text: z.string(), ...promptStatsShape });
export type PromptVersionView = z.infer<typeof PromptVersionViewSchema>;
export const PromptFamilyAnswerSchema = z.object({ id: z.string(), name: z.string(), source: promptSourceSchema, versions: z.array(PromptVersionViewSchema) });
export type PromptFamily = z.infer<typeof PromptFamilyAnswerSchema>;

export const PromptRenameBodySchema = z.object({ name: z.string().trim().min(1).max(200) });
export type PromptRenameBody = z.infer<typeof PromptRenameBodySchema>;
