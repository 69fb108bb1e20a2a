import { loadDotEnv, EnvError } from '@llm-relay/config';
import { createStore } from '@llm-relay/store';
import { assertRedisReachable, createLogger, createRedis, restrictFileModes } from '@llm-relay/server-kit';
import { readAdminEnv } from './env.ts';
import { runInit } from './features/init/run-init.ts';
import { withProviderSecrets } from './features/provider-secrets.ts';

export { runInit };

const HELP = `LLM Relay admin CLI

Usage:
  node services/admin/src/cli.ts init [--force]   seed the store from the environment, then write the gateway snapshot
  node services/admin/src/cli.ts --help

init (like --init of the original Python LLM Relay) creates what is missing: settings (DEFAULT_MODEL, HTTP_TIMEOUT_SECONDS,
HTTP_MAX_RETRIES, REDACT_LOGS, CAPTURE_MAX_BYTES, RETENTION_BODY_DAYS, RETENTION_META_DAYS), the provider
"default" (TARGET_BASE_URL, TARGET_API_KEY), a relay key record for PROXY_KEY and the first admin user
(ADMIN_USERNAME, ADMIN_PASSWORD). With --force the environment overwrites those records.
Store: DATABASE_URL. Redis: REDIS_URL, REDIS_PREFIX.
`;

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command !== 'init') {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    return 2;
  }
  restrictFileModes();
  loadDotEnv();
  let env;
  try {
    env = readAdminEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`init: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const log = createLogger('admin-init', env.LOG_LEVEL);
  try {
    await assertRedisReachable(env.REDIS_URL);
  } catch (err) {
    process.stderr.write(`init: ${(err as Error).message}\n`);
    return 1;
  }
  const store = withProviderSecrets(await createStore(env.DATABASE_URL), env.RELAY_SECRET_KEY);
  const redis = createRedis(env.REDIS_URL, 'client');
  try {
    const result = await runInit(env, store, redis, { force: rest.includes('--force'), log });
    process.stdout.write(`init: ${result.seeded.length ? `seeded ${result.seeded.join(', ')}` : 'nothing to seed'}; gateway snapshot v${result.version} written\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
    redis.disconnect();
  }
}

// importable (for runInit) without running the command
if (import.meta.main) process.exitCode = await main();
