import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { boundLabels } from '@llm-relay/server-kit';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { registry: Registry; liveClients: Gauge; liveSkipped: Counter; loginFailures: Counter };
  }
}

/** Prometheus metrics on a registry of this app's own (tests build several apps in one process). */
export const metricsPlugin = fp(async (app: FastifyInstance) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'llm_relay_admin_' });
  const requests = new Histogram({
    name: 'llm_relay_admin_http_request_duration_seconds',
    help: 'Admin API request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const liveClients = new Gauge({ name: 'llm_relay_admin_live_clients', help: 'Connected live-log WebSocket clients', registers: [registry] });
  const liveSkipped = new Counter({ name: 'llm_relay_admin_live_skipped_total', help: 'Live messages dropped for clients that read too slowly', registers: [registry] });
  const loginFailures = new Counter({ name: 'llm_relay_admin_login_failures_total', help: 'Failed admin logins', registers: [registry] });
  app.decorate('metrics', { registry, liveClients, liveSkipped, loginFailures });
  // the route is fastify's pattern (a fixed list); method and status come from clients, so they are bounded
  const bound = boundLabels<{ method: string; route: string; status: string }>({ method: 16, status: 64 });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.observe(bound({ method: req.method, route, status: String(reply.statusCode) }), reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { tags: ['health'], security: [], description: 'Prometheus metrics' } }, async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
});
