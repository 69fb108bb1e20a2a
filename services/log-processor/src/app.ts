import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from './features/ops/metrics.ts';

export interface AppDeps {
  metrics: Metrics;
  log: Logger;
  /** true while the worker runs; false once shutdown began */
  isRunning: () => boolean;
}

/** Health and metrics only: the processor's real work comes from the queue. Never listens by itself. */
export function buildApp(deps: AppDeps): FastifyInstance {
  // scrapes and probes every few seconds would drown the log at info level
  const app = Fastify({ loggerInstance: deps.log.child({}, { level: 'warn' }) as FastifyBaseLogger });
  app.get('/healthz', async (_req, reply) => {
    if (!deps.isRunning()) return reply.code(503).send({ status: 'stopping' });
    return { status: 'ok' };
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  return app;
}
