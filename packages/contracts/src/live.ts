import { z } from 'zod';
import { RouteSchema } from './exchange-event.ts';
import { LogListItemSchema } from './stored-log.ts';

/** What the processor appends to the `live-logs` stream after storing a log: the list item. */
export const LiveLogSummarySchema = LogListItemSchema;
export type LiveLogSummary = z.infer<typeof LiveLogSummarySchema>;

/**
 * One entry of the `live-logs` Redis stream: the field `log` holds the JSON of a LiveLogSummary. The
 * processor writes it with `liveEntryFields`, admin reads it with `parseLiveEntry`.
 */
export const LiveEntrySchema = z.object({ log: LiveLogSummarySchema });

/** The field/value list for XADD. */
export function liveEntryFields(log: LiveLogSummary): [field: 'log', json: string] {
  return ['log', JSON.stringify(log)];
}

/** The summary in a stream entry's field/value list, or null when the entry is not a valid one. */
export function parseLiveEntry(fields: readonly string[]): LiveLogSummary | null {
  const entry: Record<string, unknown> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const field = fields[i]!;
    if (field === 'log') {
      try {
        entry.log = JSON.parse(fields[i + 1]!);
      } catch {
        return null;
      }
    }
  }
  const parsed = LiveEntrySchema.safeParse(entry);
  return parsed.success ? parsed.data.log : null;
}

/** A live client's filter: the same meaning as the log list's filters of the same names. */
export const LiveFilterSchema = z.object({
  model: z.string().min(1).max(200).optional(),
  provider: z.string().min(1).max(200).optional(),
  keyId: z.string().min(1).max(200).optional(),
  /** the project of the call's key */
  projectId: z.string().min(1).max(200).optional(),
  route: RouteSchema.optional(),
  /** an HTTP error or any outcome but ok */
  errorsOnly: z.boolean().optional(),
  q: z.string().min(1).max(500).optional(),
  user: z.string().min(1).max(256).optional(),
  session: z.string().min(1).max(256).optional(),
  tag: z.string().min(1).max(64).optional(),
  /** prompt family id */
  prompt: z.string().min(1).max(200).optional(),
  promptVersion: z.string().min(1).max(200).optional(),
  /** every name=value must match (`property.<name>=<value>` as query parameters) */
  properties: z.record(z.string().regex(/^[a-z0-9_-]{1,64}$/), z.string().max(256)).optional(),
});
export type LiveFilter = z.infer<typeof LiveFilterSchema>;

/** WebSocket messages, browser -> admin. */
export const LiveClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('filter'), filter: LiveFilterSchema }),
  z.object({ type: z.literal('pause') }),
  z.object({ type: z.literal('resume') }),
]);
export type LiveClientMessage = z.infer<typeof LiveClientMessageSchema>;

/** WebSocket messages, admin -> browser. */
export type LiveServerMessage =
  | { type: 'hello'; lastId: string | null }
  | { type: 'log'; streamId: string; log: LiveLogSummary }
  | { type: 'lagged'; skipped: number }
  | { type: 'error'; message: string };
