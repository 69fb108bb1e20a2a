import { z } from 'zod';
import { StoredLogSchema } from '@llm-relay/contracts';

// the answers the web UI reads too live in contracts (admin-api.ts)
export { KeyViewSchema, MeSchema, ProviderViewSchema, RoleSchema, type KeyView, type ProviderView } from '@llm-relay/contracts';
import { RoleSchema } from '@llm-relay/contracts';

/** Shapes of the admin API (docs/admin-api.md) that are not contracts of their own. */

export const ErrorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }),
});

/** Route `response` entries for the error statuses a route can answer. */
export function errors(...statuses: number[]): Record<number, typeof ErrorSchema> {
  const out: Record<number, typeof ErrorSchema> = {};
  for (const s of statuses) out[s] = ErrorSchema;
  return out;
}
/** Statuses every authenticated route can answer. */
export const AUTH_ERRORS = [400, 401, 403, 500] as const;

export const UserViewSchema = z.object({ id: z.string(), username: z.string(), role: RoleSchema, createdAt: z.number() });

export const AuditEntrySchema = z.object({
  id: z.string(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** The log detail as clients see it: searchText is an index field, never sent. */
export const LogDetailSchema = StoredLogSchema.omit({ searchText: true });

export const IdParamsSchema = z.object({ id: z.string().min(1).max(200) });

/**
 * A body for a partial update: every field optional, no defaults filled in (zod's .partial() would
 * apply them and reset what the client left out), unknown fields refused.
 */
export function patchOf<T extends z.ZodRawShape>(s: z.ZodObject<T>): z.ZodObject<Record<string, z.ZodType>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(s.shape) as [string, z.ZodType][]) shape[k] = (v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : v).optional();
  return z.strictObject(shape);
}
