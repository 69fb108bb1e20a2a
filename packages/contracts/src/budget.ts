import { z } from 'zod';

/**
 * Projects and budgets: the one description of spend limits that admin (writes them), the gateway (enforces
 * them), the processor (counts spend, sends alerts) and the UI (shows them) share. Browser-safe: no `node:`.
 *
 * Spend lives in Redis as integer micro-USD (INCRBY is exact and atomic; floats would drift) under one key per
 * scope, id and period, named by `spendKey`. Periods are UTC calendar days and months.
 */
export const BUDGET_PERIODS = ['day', 'month'] as const;
export const BudgetPeriodSchema = z.enum(BUDGET_PERIODS);
export type BudgetPeriod = z.infer<typeof BudgetPeriodSchema>;

export const BudgetSchema = z.strictObject({
  usd: z.number().positive().max(1e9),
  period: BudgetPeriodSchema,
});
export type Budget = z.infer<typeof BudgetSchema>;

export const BUDGET_SCOPES = ['key', 'project'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];

/** 1 USD in the integer unit spend is counted in */
export const MICRO_USD = 1_000_000;
export const toMicroUsd = (usd: number): number => Math.round(usd * MICRO_USD);
export const fromMicroUsd = (micro: number): number => micro / MICRO_USD;

/** Start of the UTC period that contains `now` (ms). */
export function periodStart(period: BudgetPeriod, now: number): number {
  const d = new Date(now);
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the next UTC period: when a budget that is spent resets. */
export function periodEnd(period: BudgetPeriod, now: number): number {
  const d = new Date(periodStart(period, now));
  return period === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** `d20261203` or `m202612`: the period part of a spend key. */
export function periodTag(period: BudgetPeriod, now: number): string {
  const iso = new Date(periodStart(period, now)).toISOString();
  return period === 'day' ? `d${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}` : `m${iso.slice(0, 4)}${iso.slice(5, 7)}`;
}

/** The Redis key holding one scope's spend (integer micro-USD) in the period containing `now`. */
export function spendKey(redisPrefix: string, scope: BudgetScope, id: string, period: BudgetPeriod, now: number): string {
  return `${redisPrefix}:spend:${scope}:${id}:${periodTag(period, now)}`;
}

/**
 * A call that used tokens the relay could not price (no price for its model, `cost.price` null): it counts as
 * $0, so the spend shown may be low, and views flag how many there were (`unpricedCalls`). A call without
 * token counts (most failures) is not one: it cost nothing anyone could bill.
 */
export function isUnpricedCall(log: { cost: { price: unknown }; usage: { prompt: number | null; completion: number | null } }): boolean {
  return log.cost.price === null && (log.usage.prompt !== null || log.usage.completion !== null);
}

/** The default thresholds (fractions of the budget) at which a project's webhook is told. */
export const DEFAULT_ALERT_THRESHOLDS = [0.5, 0.8, 1.0];
export const AlertThresholdsSchema = z
  .array(z.number().positive().max(10))
  .max(10)
  .transform((t) => [...new Set(t)].sort((a, b) => a - b));

const WebhookUrlSchema = z
  .string()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http(s) URL' });

const ProjectNameSchema = z.string().trim().min(1).max(200);

/** The body of POST /admin/projects. */
export const ProjectCreateBodySchema = z.strictObject({
  name: ProjectNameSchema,
  budget: BudgetSchema.nullable().optional(),
  alertWebhookUrl: WebhookUrlSchema.nullable().optional(),
  alertThresholds: AlertThresholdsSchema.optional(),
});
export type ProjectCreateBody = z.infer<typeof ProjectCreateBodySchema>;

/** The body of PATCH /admin/projects/:id: only the fields sent change; `null` removes budget or webhook. */
export const ProjectPatchBodySchema = z.strictObject({
  name: ProjectNameSchema.optional(),
  budget: BudgetSchema.nullable().optional(),
  alertWebhookUrl: WebhookUrlSchema.nullable().optional(),
  alertThresholds: AlertThresholdsSchema.optional(),
});
export type ProjectPatchBody = z.infer<typeof ProjectPatchBodySchema>;

/** Spend of one scope in the current period of its budget (a calendar month when it has no budget). */
export const SpendViewSchema = z.object({
  usd: z.number(),
  /** ms, UTC start of the period */
  periodStart: z.number(),
  /** calls in the period whose price was unknown: counted as $0, so the spend may be low */
  unpricedCalls: z.number().int(),
});
export type SpendView = z.infer<typeof SpendViewSchema>;

export const ProjectKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  status: z.string(),
  budget: BudgetSchema.nullable(),
  spend: SpendViewSchema,
});

/** A project as GET /admin/projects lists it. */
export const ProjectViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  budget: BudgetSchema.nullable(),
  alertWebhookUrl: z.string().nullable(),
  alertThresholds: z.array(z.number()),
  createdAt: z.number(),
  spend: SpendViewSchema,
  keys: z.array(ProjectKeySchema),
});
export type ProjectView = z.infer<typeof ProjectViewSchema>;

/** A project as the gateway snapshot carries it: only what enforcement needs. */
export const GatewayProjectSchema = z.object({
  id: z.string(),
  /** named in the 429 a spent budget answers; added after the first snapshots with projects, the id stands in */
  name: z.string().optional(),
  budget: BudgetSchema.optional(),
});
export type GatewayProject = z.infer<typeof GatewayProjectSchema>;

/** What a project's webhook receives when spend crosses a threshold (once per threshold per period). */
export const BudgetAlertSchema = z.object({
  type: z.literal('budget.threshold'),
  project: z.object({ id: z.string(), name: z.string() }),
  threshold: z.number(),
  spendUsd: z.number(),
  budgetUsd: z.number(),
  period: BudgetPeriodSchema,
  /** ISO 8601, UTC */
  periodStart: z.string(),
  /** one human sentence, so a Slack incoming webhook shows it as is */
  text: z.string(),
});
export type BudgetAlert = z.infer<typeof BudgetAlertSchema>;

/** Set (NX, expiring after the period) when a project's threshold alert was queued: once per threshold per period. */
export function budgetAlertedKey(redisPrefix: string, projectId: string, periodTagValue: string, threshold: number): string {
  return `${redisPrefix}:alerted:${projectId}:${periodTagValue}:${threshold}`;
}

/** The budget alert job: what to POST, and where. */
export const BudgetAlertJobSchema = z.object({
  projectId: z.string(),
  webhookUrl: z.string().url(),
  alert: BudgetAlertSchema,
});
export type BudgetAlertJob = z.infer<typeof BudgetAlertJobSchema>;
