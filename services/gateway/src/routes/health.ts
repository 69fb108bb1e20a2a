import type { FastifyInstance } from 'fastify';
import type { GatewayContext } from '../features/proxy/context.ts';

export function healthRoutes(ctx: GatewayContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get('/healthz', async () => ({ status: 'ok' }));

    /** Ready once a snapshot is loaded and until shutdown begins (the drain); Redis's state is reported but not fatal (the journal covers it). */
    app.get('/readyz', async (_request, reply) => {
      const cfg = ctx.snapshots.current;
      const stopping = ctx.draining || ctx.closing;
      const ready = cfg !== null && !stopping;
      const body = {
        ready,
        ...(stopping ? { draining: true } : {}),
        snapshotVersion: cfg?.version ?? null,
        redis: ctx.redis.status,
        journalBytes: ctx.journal.size,
        /** journaled events not yet acknowledged as stored / not (or no longer) in the queue */
        journalWaiting: ctx.journal.unacked,
        journalUnqueued: ctx.journal.unqueued,
        dropped: ctx.sink.dropped,
        ...(cfg ? {} : { message: 'gateway not configured: run `npm run init`' }),
      };
      return reply.code(ready ? 200 : 503).send(body);
    });

    app.get('/metrics', async (_request, reply) => {
      return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
    });
  };
}
