import { z } from 'zod';

/**
 * What each running replica writes into its kind's heartbeat hash (`redisKeys().gateways` or `.processors`,
 * field = the replica id, value = this JSON) every `everyMs`; it removes its field when it stops gracefully.
 * Admin reads them for the system page. `startedAt` and `everyMs` are optional for beats written by
 * replicas older than this schema during a rolling upgrade.
 */
export const HeartbeatSchema = z.object({
  id: z.string().min(1),
  startedAt: z.number().optional(),
  lastSeen: z.number(),
  /** how often this replica beats; silent for more than two beats = stale */
  everyMs: z.number().int().positive().optional(),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

export const GatewayHeartbeatSchema = HeartbeatSchema.extend({
  inflight: z.number().default(0),
  journalBytes: z.number().default(0),
  dropped: z.number().default(0),
  /**
   * exchanges this replica journaled that no processor has acknowledged as stored yet (queued, or waiting in the
   * journal for Redis): what the system page reports as waiting. The queue's own counts are jobs, and a job is a
   * batch of exchanges. Missing in beats of replicas older than this field.
   */
  unstored: z.number().default(0),
});
export type GatewayHeartbeat = z.infer<typeof GatewayHeartbeatSchema>;

export const ProcessorHeartbeatSchema = HeartbeatSchema.extend({
  processed: z.number().default(0),
  failed: z.number().default(0),
  /** set while the store refuses writes (busy, locked, full, unreachable): consumption is paused since then */
  storeUnavailableSince: z.number().nullable().optional(),
});
export type ProcessorHeartbeat = z.infer<typeof ProcessorHeartbeatSchema>;

/** The beat interval assumed for a heartbeat that does not state its own. */
export const DEFAULT_HEARTBEAT_MS = 5000;

/** A replica that has not beaten for more than two of its intervals is stale (killed, frozen or cut off). */
export function isHeartbeatStale(beat: Pick<Heartbeat, 'lastSeen' | 'everyMs'>, now: number): boolean {
  return now - beat.lastSeen > 2 * (beat.everyMs ?? DEFAULT_HEARTBEAT_MS);
}
