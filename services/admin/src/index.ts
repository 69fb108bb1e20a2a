import { loadDotEnv, EnvError } from '@llm-relay/config';
import { createStore } from '@llm-relay/store';
import { assertRedisReachable, createLogger, createRedis, installShutdown, restrictFileModes } from '@llm-relay/server-kit';
import { readAdminEnv, type AdminEnv } from './env.ts';
import { build } from './app.ts';
import { resolveJwtSecret } from './features/auth/jwt-secret.ts';
import { runInit, storeIsEmpty } from './features/init/run-init.ts';
import { sealExistingProviders, withProviderSecrets } from './features/provider-secrets.ts';

async function main(): Promise<void> {
  restrictFileModes();
  loadDotEnv();
  let env: AdminEnv;
  try {
    env = readAdminEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`admin: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger('admin', env.LOG_LEVEL);
  try {
    await assertRedisReachable(env.REDIS_URL);
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(1);
  }
  let store: Awaited<ReturnType<typeof createStore>>;
  try {
    store = await createStore(env.DATABASE_URL);
  } catch (err) {
    log.fatal({ err: (err as Error).message, databaseUrl: env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@') }, 'cannot open the store (DATABASE_URL)');
    process.exit(1);
  }
  try {
    const sealed = await sealExistingProviders(store, env.RELAY_SECRET_KEY);
    if (sealed > 0) log.info({ providers: sealed }, 'encrypted the provider keys stored in clear (RELAY_SECRET_KEY)');
  } catch (err) {
    log.fatal((err as Error).message);
    process.exit(1);
  }
  store = withProviderSecrets(store, env.RELAY_SECRET_KEY);
  const redis = createRedis(env.REDIS_URL, 'client');
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const jwtSecret = resolveJwtSecret(env.JWT_SECRET, log);

  if (await storeIsEmpty(store)) {
    log.info('the store is empty: seeding it from the environment (init)');
    await runInit(env, store, redis, { log });
  }

  const app = await build({ env, store, redis, jwtSecret, logger: log });
  await app.snapshots.reconcile().catch((err) => log.warn({ err }, 'could not write the gateway snapshot at start; retrying in the background'));
  app.snapshots.start(env.SNAPSHOT_REPUBLISH_SECONDS);

  installShutdown(log, [
    { name: 'http', run: () => app.close() },
    { name: 'store', run: () => store.close() },
    { name: 'redis', run: () => redis.quit() },
  ]);
  const address = await app.listen({ port: env.ADMIN_PORT, host: env.ADMIN_HOST });
  log.info({ address, docs: `${address}/docs`, ui: `${address}/admin/` }, 'admin listening');
}

await main();
