import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { EXCHANGES_QUEUE, redisKeys } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';
import { createLogger, type Logger } from '@llm-relay/server-kit';
import type { AdminEnv } from './env.ts';
import { secretKey } from './features/auth/jwt.ts';
import { createSnapshotPublisher, type SnapshotPublisher } from './features/snapshot/build-snapshot.ts';
import { createLiveHub, type LiveHub } from './features/live/live-hub.ts';
import { errorsPlugin, genReqId } from './plugins/errors.ts';
import { installZod, zodToOpenApi } from './plugins/zod.ts';
import { securityPlugin } from './plugins/security.ts';
import { authPlugin } from './plugins/auth.ts';
import { metricsPlugin } from './plugins/metrics.ts';
import { webUiPlugin } from './plugins/web-ui.ts';
import { authRoutes } from './routes/auth.ts';
import { settingsRoutes } from './routes/settings.ts';
import { providerRoutes } from './routes/providers.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { projectRoutes } from './routes/projects.ts';
import { logRoutes } from './routes/logs.ts';
import { statsRoutes } from './routes/stats.ts';
import { scoreRoutes } from './routes/scores.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { promptRoutes } from './routes/prompts.ts';
import { systemRoutes } from './routes/system.ts';
import { userRoutes } from './routes/users.ts';
import { liveRoutes } from './routes/live.ts';
import { healthRoutes } from './routes/health.ts';
import { VERSION } from './version.ts';

export { VERSION };

declare module 'fastify' {
  interface FastifyInstance {
    env: AdminEnv;
    store: Store;
    redis: Redis;
    jwtKey: Uint8Array;
    snapshots: SnapshotPublisher;
    exchangesQueue: Queue;
    liveHub: LiveHub;
  }
}

export interface BuildOptions {
  env: AdminEnv;
  /** opened by the caller, which also closes it (index.ts on shutdown, a test in afterAll) */
  store: Store;
  redis: Redis;
  jwtSecret: string;
  logger?: Logger;
}

/** Build the admin app; it never listens (index.ts does, tests use inject or listen on port 0). */
export async function build(opts: BuildOptions): Promise<FastifyInstance> {
  const { env } = opts;
  const log = opts.logger ?? createLogger('admin', env.LOG_LEVEL);
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    genReqId,
    logController: new LogController({ requestIdLogLabel: 'requestId', disableRequestLogging: env.LOG_LEVEL !== 'debug' && env.LOG_LEVEL !== 'trace' }),
    bodyLimit: env.ADMIN_BODY_LIMIT_BYTES,
    // believing any X-Forwarded-For would let a client pick its IP and dodge the login limit
    trustProxy: env.TRUST_PROXY,
    return503OnClosing: true,
  });
  installZod(app);

  const keys = redisKeys(env.REDIS_PREFIX);
  app.decorate('env', env);
  app.decorate('store', opts.store);
  app.decorate('redis', opts.redis);
  app.decorate('jwtKey', secretKey(opts.jwtSecret));
  app.decorate('snapshots', createSnapshotPublisher(opts.store, opts.redis, env.REDIS_PREFIX, log));
  app.decorate('exchangesQueue', new Queue(EXCHANGES_QUEUE, { connection: opts.redis, prefix: keys.queuePrefix }));
  app.decorate('liveHub', createLiveHub(opts.redis, keys.liveStream, log));
  // without a listener BullMQ prints every connection error to the console
  app.exchangesQueue.on('error', (err) => log.warn({ err: err.message }, 'exchanges queue connection error'));
  app.addHook('onClose', async () => {
    app.snapshots.stop();
    await app.liveHub.close();
    await app.exchangesQueue.close();
  });

  await app.register(errorsPlugin);
  // before auth: its onRequest hook marks upgrade requests so a refused upgrade's socket is destroyed
  // (registered after auth, a 401 would leave the socket open and block shutdown).
  // A live-log client sends only tiny control messages; anything larger is hostile.
  await app.register(websocket, { options: { maxPayload: 4096 } });
  await app.register(cookie);
  await app.register(securityPlugin);
  // before auth: a browser navigation to /admin/logs must get the UI, not a 401
  await app.register(webUiPlugin);
  await app.register(authPlugin);
  await app.register(metricsPlugin);
  await app.register(swagger, {
    openapi: {
      info: { title: 'LLM Relay admin API', version: VERSION, description: 'Admin API of LLM Relay (docs/admin-api.md). Log in with POST /admin/login, then send the token as a bearer token.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, cookie: { type: 'apiKey', in: 'cookie', name: 'llm_relay_session' } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: zodToOpenApi as never,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(settingsRoutes);
  await app.register(providerRoutes);
  await app.register(apiKeyRoutes);
  await app.register(projectRoutes);
  await app.register(logRoutes);
  await app.register(statsRoutes);
  await app.register(scoreRoutes);
  await app.register(sessionRoutes);
  await app.register(promptRoutes);
  await app.register(systemRoutes);
  await app.register(userRoutes);
  await app.register(liveRoutes);
  return app;
}
