import { z } from 'zod';
import { BudgetSchema, GatewayProjectSchema } from './budget.ts';

/**
 * Runtime settings, stored DB-first (admin edits them) and copied into the gateway snapshot.
 * Defaults come from the environment at `init` time.
 */
export const REDACTION_TYPES = [
  'email',
  'phone',
  'card',
  'iban',
  'ip',
  'cn_id',
  'ssn',
  'secret',
] as const;
export const RedactionTypeSchema = z.enum(REDACTION_TYPES);
export type RedactionType = z.infer<typeof RedactionTypeSchema>;

export const PriceSchema = z.object({
  /** USD per 1M tokens */
  input: z.number().nonnegative(),
  cachedInput: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
  /** ISO date from which this price applies */
  effectiveFrom: z.string().optional(),
});
export type Price = z.infer<typeof PriceSchema>;

export const SettingsSchema = z.object({
  defaultModel: z.string().default('gpt-4o-mini'),
  httpTimeoutSeconds: z.number().positive().max(3600).default(60),
  connectTimeoutSeconds: z.number().positive().max(600).default(10),
  idleTimeoutSeconds: z.number().positive().max(3600).default(120),
  httpMaxRetries: z.number().int().min(0).max(10).default(0),
  redactLogs: z.boolean().default(false),
  redactTypes: z.array(RedactionTypeSchema).default([...REDACTION_TYPES]),
  /** bytes of each body the gateway captures; larger bodies are cut and flagged */
  captureMaxBytes: z.number().int().min(0).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
  /** keep the raw SSE text beside the reassembled response */
  keepRawStream: z.boolean().default(false),
  /** days to keep request/response bodies; metadata may be kept longer */
  retentionBodyDays: z.number().int().min(0).default(30),
  retentionMetaDays: z.number().int().min(0).default(90),
  /** per-model price overrides (USD per 1M tokens), keyed by model name */
  priceOverrides: z.record(z.string(), PriceSchema).default({}),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const ModelRouteSchema = z.object({
  /** exact name, or a pattern with `*` wildcards (e.g. `gpt-4o*`) */
  match: z.string().min(1),
  /** rewrite the model name sent upstream (an alias) */
  upstreamModel: z.string().optional(),
});
export type ModelRoute = z.infer<typeof ModelRouteSchema>;

export const PROVIDER_TYPES = ['openai', 'anthropic'] as const;

export const ProviderSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  type: z.enum(PROVIDER_TYPES).default('openai'),
  /** as the OpenAI SDK takes it: `https://api.openai.com/v1`; a bare origin gets `/v1` */
  baseUrl: z.string().url(),
  apiKeys: z.array(z.string()).default([]),
  headers: z.record(z.string(), z.string()).default({}),
  models: z.array(ModelRouteSchema).default([]),
  /** lower runs first when several providers serve a model */
  priority: z.number().int().default(0),
  enabled: z.boolean().default(true),
  /** add stream_options.include_usage to chat streams and strip the extra chunk */
  injectStreamUsage: z.boolean().default(true),
});
export type Provider = z.infer<typeof ProviderSchema>;

export const KEY_STATUSES = ['active', 'disabled'] as const;

export const KeyLimitsSchema = z.object({
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().optional(),
});
export type KeyLimits = z.infer<typeof KeyLimitsSchema>;

/** A relay key as the gateway sees it: never the secret, only its SHA-256. */
export const GatewayKeySchema = z.object({
  id: z.string(),
  prefix: z.string(),
  name: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  status: z.enum(KEY_STATUSES),
  expiresAt: z.number().nullable().default(null),
  /** empty = all models */
  allowedModels: z.array(z.string()).default([]),
  limits: KeyLimitsSchema.default({}),
  /** provider used for calls that name no model (pass-through) */
  defaultProvider: z.string().optional(),
  /** the project the key belongs to (its budget applies too); added with budgets, older snapshots have none */
  projectId: z.string().optional(),
  /** the key's own spend limit per period */
  budget: BudgetSchema.optional(),
});
export type GatewayKey = z.infer<typeof GatewayKeySchema>;

export const GatewaySnapshotSchema = z.object({
  version: z.number().int().nonnegative(),
  writtenAt: z.number(),
  settings: SettingsSchema,
  providers: z.array(ProviderSchema),
  keys: z.array(GatewayKeySchema),
  /** projects with their budgets; added with budgets, older snapshots have none */
  projects: z.array(GatewayProjectSchema).default([]),
});
export type GatewaySnapshot = z.infer<typeof GatewaySnapshotSchema>;
/** What a writer may hand to the schema: fields added later (`projects`) may be left out and default. */
export type GatewaySnapshotInput = z.input<typeof GatewaySnapshotSchema>;

/**
 * The runtime settings alone, published beside the snapshot (same version) for the log processor, which
 * needs them (redaction, prices, retention) but must not read provider secrets or relay keys.
 */
export const PublishedSettingsSchema = z.object({
  version: z.number().int().nonnegative(),
  writtenAt: z.number(),
  settings: SettingsSchema,
});
export type PublishedSettings = z.infer<typeof PublishedSettingsSchema>;
