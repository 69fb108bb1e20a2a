import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { redisKeys, SystemAnswerSchema as SystemAnswer } from '@llm-relay/contracts';
import { audit } from '../features/audit.ts';
import { AUTH_ERRORS, errors } from '../schemas.ts';
import { VERSION } from '../version.ts';

const num = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** Heartbeats are JSON written by each replica; a malformed one is shown with what could be read. */
function parseBeats(raw: Record<string, string>): [string, Record<string, unknown>][] {
  return Object.entries(raw).map(([id, json]) => {
    try {
      return [id, JSON.parse(json) as Record<string, unknown>];
    } catch {
      return [id, {}];
    }
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
    return {
      gateways: parseBeats(gw).map(([id, b]) => ({
        id,
        startedAt: typeof b.startedAt === 'number' ? b.startedAt : null,
        lastSeen: typeof b.lastSeen === 'number' ? b.lastSeen : null,
        inflight: num(b.inflight),
        journalBytes: num(b.journalBytes),
        dropped: num(b.dropped),
      })),
      processors: parseBeats(pr).map(([id, b]) => ({ id, lastSeen: typeof b.lastSeen === 'number' ? b.lastSeen : null, processed: num(b.processed), failed: num(b.failed) })),
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
      const { failed } = await app.exchangesQueue.getJobCounts('failed');
      await app.exchangesQueue.retryJobs({ state: 'failed', count: 1000 });
      await audit(app, req, 'jobs.replay-failed', null, { replayed: failed ?? 0 });
      return { replayed: failed ?? 0 };
    },
  );
}
