import { z } from 'zod';
import { LogListItemSchema } from './stored-log.ts';

/** What the processor appends to the `live-logs` stream after storing a log: the list item. */
export const LiveLogSummarySchema = LogListItemSchema;
export type LiveLogSummary = z.infer<typeof LiveLogSummarySchema>;

/** WebSocket messages, admin -> browser. */
export type LiveServerMessage =
  | { type: 'hello'; lastId: string | null }
  | { type: 'log'; streamId: string; log: LiveLogSummary }
  | { type: 'lagged'; skipped: number }
  | { type: 'error'; message: string };

/** WebSocket messages, browser -> admin. */
export type LiveClientMessage =
  | { type: 'filter'; filter: { model?: string; provider?: string; keyId?: string; route?: string; errorsOnly?: boolean; q?: string } }
  | { type: 'pause' }
  | { type: 'resume' };
