import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import {
  GatewayHeartbeatSchema,
  isHeartbeatStale,
  ProcessorHeartbeatSchema,
  redisKeys,
  SystemAnswerSchema as SystemAnswer,
  type Heartbeat,
} from '@llm-relay/contracts';
import { replayFailedJobs } from '@llm-relay/server-kit';
import { audit } from '../features/audit.ts';
import { AUTH_ERRORS, errors } from '../schemas.ts';
import { VERSION } from '../version.ts';

/**
 * A replica silent this long is forgotten (its heartbeat removed): one killed without a graceful stop (SIGKILL,
 * a lost host) would otherwise stay on the page as stale for ever, and a restarted one often has a new id.
 */
export const FORGET_REPLICA_AFTER_MS = 24 * 3_600_000;

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/**
 * Each replica's heartbeat, checked against its kind's schema. One that does not parse (a replica of another
 * version, a hand edit) is still listed, by id, as stale: the page must not hide a replica it cannot read.
 */
function readBeats<T extends Heartbeat>(raw: Record<string, string>, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, now: number) {
  return Object.entries(raw).map(([id, json]) => {
    let parsed: ReturnType<typeof schema.safeParse> = { success: false };
    try {
      parsed = schema.safeParse(JSON.parse(json));
    } catch {
      // not JSON: listed as unreadable below
    }
    if (!parsed.success) return { id, beat: null, stale: true };
    return { id, beat: parsed.data, stale: isHeartbeatStale(parsed.data, now) };
  });
}

export async function systemRoutes(app: FastifyInstance): Promise<void> {
  const keys = redisKeys(app.env.REDIS_PREFIX);

  app.get('/admin/system', { config: { role: 'viewer' }, schema: { tags: ['system'], response: { 200: SystemAnswer, ...errors(...AUTH_ERRORS) } } }, async () => {
    const [gw, pr, counts, completed] = await Promise.all([
      app.redis.hgetall(keys.gateways),
      app.redis.hgetall(keys.processors),
      app.exchangesQueue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
      // completed jobs are removed with their data at once; the processors' BullMQ metrics keep the count
      app.exchangesQueue.getMetrics('completed', 0, 0),
    ]);
    const now = Date.now();
    const gateways = readBeats(gw, GatewayHeartbeatSchema, now);
    const processors = readBeats(pr, ProcessorHeartbeatSchema, now);
    const forgotten = (list: ReturnType<typeof readBeats>) => list.filter((r) => r.beat !== null && now - r.beat.lastSeen > FORGET_REPLICA_AFTER_MS).map((r) => r.id);
    const [goneGateways, goneProcessors] = [forgotten(gateways), forgotten(processors)];
    if (goneGateways.length) await app.redis.hdel(keys.gateways, ...goneGateways);
    if (goneProcessors.length) await app.redis.hdel(keys.processors, ...goneProcessors);
    const kept = <T extends { id: string }>(list: T[], gone: string[]) => list.filter((r) => !gone.includes(r.id));
    return {
      gateways: kept(gateways, goneGateways).map(({ id, beat, stale }) => ({
        id,
        startedAt: beat?.startedAt ?? null,
        lastSeen: beat?.lastSeen ?? null,
        stale,
        inflight: beat?.inflight ?? 0,
        journalBytes: beat?.journalBytes ?? 0,
        dropped: beat?.dropped ?? 0,
        unstored: beat?.unstored ?? 0,
      })),
      processors: kept(processors, goneProcessors).map(({ id, beat, stale }) => ({
        id,
        startedAt: beat?.startedAt ?? null,
        lastSeen: beat?.lastSeen ?? null,
        stale,
        processed: beat?.processed ?? 0,
        failed: beat?.failed ?? 0,
        storeUnavailableSince: beat?.storeUnavailableSince ?? null,
      })),
      queue: { waiting: num(counts.waiting), active: num(counts.active), delayed: num(counts.delayed), failed: num(counts.failed), completed: completed.meta.count },
      store: app.store.info,
      proxyBaseUrl: app.env.PROXY_BASE_URL,
      version: VERSION,
    };
  });

  app.post(
    '/admin/failed-jobs/replay',
    { config: { role: 'admin' }, schema: { tags: ['system'], description: 'Move every failed exchange job back to waiting so the processor tries it again.', response: { 200: z.object({ replayed: z.number() }), ...errors(...AUTH_ERRORS) } } },
    async (req) => {
      const replayed = await replayFailedJobs(app.exchangesQueue);
      await audit(app, req, 'jobs.replay-failed', null, { replayed });
      return { replayed };
    },
  );
}
