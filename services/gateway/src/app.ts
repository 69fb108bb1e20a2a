import { once } from 'node:events';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLogger, createRedis, type Logger } from '@llm-relay/server-kit';
import { redisKeys } from '@llm-relay/contracts';
import type { GatewayEnv } from './env.ts';
import { createMetrics } from './plugins/metrics.ts';
import { installRelayHooks } from './plugins/relay-hooks.ts';
import { clientErrorHandler, refuseConnect } from './plugins/protocol-errors.ts';
import { installCors } from './plugins/cors.ts';
import { createSnapshotStore } from './features/config/snapshot-store.ts';
import { Upstreams } from './features/upstream/pools.ts';
import { Limiter } from './features/limits/limiter.ts';
import { OutageLimits } from './features/limits/outage-limits.ts';
import { Journal } from './features/capture/journal.ts';
import { EventSink } from './features/capture/event-sink.ts';
import { StoredAcks } from './features/capture/stored-acks.ts';
import { CaptureBudget } from './features/capture/capture-budget.ts';
import { startHeartbeat } from './features/heartbeat.ts';
import { RejectSampler } from './features/auth/reject-sampler.ts';
import type { GatewayContext } from './features/proxy/context.ts';
import { healthRoutes } from './routes/health.ts';
import { cutInflight } from './features/proxy/cut-inflight.ts';
import { modelRoutes } from './routes/model-routes.ts';
import { modelsRoute } from './routes/models.ts';
import { passthroughRoutes } from './routes/passthrough.ts';
import { feedbackRoute } from './routes/feedback.ts';
import { FeedbackQueue } from './features/feedback/feedback-queue.ts';

const REDIS_START_WAIT_MS = 3_000;

declare module 'fastify' {
  interface FastifyInstance {
    /** first step of shutdown: not ready (so balancers stop sending) but still serving, for `ms` */
    drain(ms: number): Promise<void>;
    /**
     * second step: close, letting in-flight exchanges finish for up to `ms`; then the ones still running
     * are cut, finished as incomplete and their events flushed before the close completes
     */
    closeWithin(ms: number): Promise<void>;
  }
}

/** Build the gateway: connections, config, capture, routes. Never listens (index.ts does). */
export async function build(env: GatewayEnv, log: Logger = createLogger('gateway', env.LOG_LEVEL)): Promise<FastifyInstance> {
  const metrics = createMetrics();
  // one fail-fast connection for the queue, limits, heartbeat and snapshot reads: nothing may hang on it
  const redis = createRedis(env.REDIS_URL, 'producer');
  const sub = createRedis(env.REDIS_URL, 'subscriber');
  redis.on('error', (err) => log.debug({ err: err.message }, 'redis error'));
  sub.on('error', (err) => log.debug({ err: err.message }, 'redis subscriber error'));
  const journal = new Journal(env.JOURNAL_DIR, env.GATEWAY_ID, env.JOURNAL_MAX_BYTES, log);
  await journal.open();
  const upstreams = new Upstreams();
  const snapshots = createSnapshotStore({
    redis,
    sub,
    prefix: env.REDIS_PREFIX,
    log,
    pollMs: env.SNAPSHOT_POLL_MS,
    cacheFile: env.SNAPSHOT_CACHE_FILE ?? join(env.JOURNAL_DIR, 'config-snapshot.json'),
    onChange: (cfg) => {
      upstreams.sync(cfg);
      metrics.snapshotVersion.set(cfg.version);
    },
  });
  metrics.snapshotVersion.set(-1);
  const captureBudget = new CaptureBudget(env.CAPTURE_BUDGET_BYTES, {
    onChange: (bytes) => metrics.captureBytesInFlight.set(bytes),
    onCut: () => metrics.captureTruncated.inc(),
  });
  metrics.captureBudgetBytes.set(env.CAPTURE_BUDGET_BYTES);
  const limiter = new OutageLimits({
    limiter: new Limiter({ redis, prefix: env.REDIS_PREFIX, rateLimitKey: redisKeys(env.REDIS_PREFIX).rateLimit, timeoutMs: env.LIMITS_TIMEOUT_MS, metrics, log }),
    redis,
    rateLimitKey: redisKeys(env.REDIS_PREFIX).rateLimit,
    gatewaysKey: redisKeys(env.REDIS_PREFIX).gateways,
    heartbeatMs: env.HEARTBEAT_MS,
    onOutage: env.LIMITS_ON_OUTAGE,
    metrics,
    log,
  });
  const ctx: GatewayContext = {
    env,
    log,
    metrics,
    redis,
    snapshots,
    upstreams,
    limiter,
    sink: new EventSink({ conn: redis, prefix: env.REDIS_PREFIX, journal, metrics, log, gatewayId: env.GATEWAY_ID, batchMs: env.ENQUEUE_BATCH_MS, batchSize: env.ENQUEUE_BATCH_SIZE, release: (bytes) => captureBudget.give(bytes) }),
    feedback: new FeedbackQueue(redis, env.REDIS_PREFIX),
    captureBudget,
    journal,
    rejectSampler: new RejectSampler(),
    startedAt: Date.now(),
    inflight: 0,
    draining: false,
    closing: false,
    active: new Map(),
  };
  // a fail-fast connection refuses commands until it is connected: give it a moment at start-up (not
  // more: a gateway starts and serves without Redis, from its cached snapshot, journaling events)
  if (redis.status !== 'ready') await once(redis, 'ready', { signal: AbortSignal.timeout(REDIS_START_WAIT_MS) }).catch(() => log.warn({ redis: redis.status }, 'Redis not reachable at start: serving from the cached config snapshot (if any), journaling events until it answers'));
  await snapshots.start();
  const heartbeat = startHeartbeat(ctx);
  limiter.start();
  const acks = new StoredAcks({ redis, prefix: env.REDIS_PREFIX, gatewayId: env.GATEWAY_ID, journal, sink: ctx.sink, metrics, log, intervalMs: env.STORED_ACK_POLL_MS });
  acks.start();

  const app = Fastify({
    logger: false,
    // the relay answers its own 503 while closing (OpenAI shape, x-request-id, captured): see relay-hooks
    return503OnClosing: false,
    // longer than the idle timeout of load balancers in front (often 60 s), so they close first
    keepAliveTimeout: 65_000,
    requestTimeout: 0,
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY,
    clientErrorHandler,
  });
  refuseConnect(app);
  app.decorate('drain', async (ms: number) => {
    ctx.draining = true;
    ctx.log.info({ drainMs: ms }, 'draining: /readyz answers 503, requests still served');
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  });
  // before the relay hooks: a preflight is answered without authentication
  installCors(app, env.GATEWAY_CORS_ORIGINS);
  app.decorate('closeWithin', async (ms: number) => {
    const closed = app.close();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([closed.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), ms)))]);
    clearTimeout(timer);
    if (!timedOut) return;
    const n = await cutInflight(ctx, `cut by the gateway's shutdown: still running after SHUTDOWN_TIMEOUT_MS (${ms} ms)`);
    ctx.log.warn({ cut: n, timeoutMs: ms }, 'shutdown timeout: in-flight exchanges cut and recorded as incomplete');
    app.server.closeAllConnections();
    // the close now completes, and its onClose flushes the events (queue, or journal)
    await closed;
  });
  installRelayHooks(app, ctx);
  await app.register(healthRoutes(ctx));
  await app.register(modelsRoute(ctx));
  await app.register(modelRoutes(ctx));
  await app.register(passthroughRoutes(ctx));
  await app.register(feedbackRoute(ctx));

  app.addHook('preClose', async () => {
    ctx.closing = true;
    // server.close() reaps only the connections idle at that moment; one that finishes its response later
    // would be kept open by the client (keep-alive 65 s) and hold the shutdown: reap them as they go idle
    const reaper = setInterval(() => app.server.closeIdleConnections(), 100);
    reaper.unref();
    app.server.once('close', () => clearInterval(reaper));
  });
  app.addHook('onClose', async () => {
    snapshots.stop();
    limiter.stop();
    await heartbeat.stop();
    await ctx.sink.close();
    // a last look, so what was stored meanwhile is not adopted and queued again by the next process
    await acks.poll();
    acks.stop();
    await journal.close();
    await ctx.feedback.close();
    await upstreams.close();
    sub.disconnect();
    await redis.quit().catch(() => redis.disconnect());
  });
  return app;
}
