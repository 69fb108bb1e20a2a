import { loadDotEnv } from '@llm-relay/config';
import { assertRedisReachable, createLogger, installShutdown, restrictFileModes } from '@llm-relay/server-kit';
import { readEnv } from './env.ts';
import { startProcessor, type Processor } from './processor.ts';

restrictFileModes();
loadDotEnv();
const env = readEnv();
const log = createLogger('log-processor', env.LOG_LEVEL).child({ processorId: env.PROCESSOR_ID });

try {
  await assertRedisReachable(env.REDIS_URL);
} catch (err) {
  log.fatal((err as Error).message);
  process.exit(1);
}

let processor: Processor;
try {
  processor = await startProcessor(env, log);
} catch (err) {
  log.fatal({ err, databaseUrl: env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@') }, 'could not start: the store or Redis is not usable');
  process.exit(1);
}
installShutdown(log, [{ name: 'processor', run: () => processor.close() }]);
await processor.app.listen({ port: env.PROCESSOR_PORT, host: env.PROCESSOR_HOST });
log.info({ port: env.PROCESSOR_PORT, store: processor.store.info.kind, batchSize: env.PROCESSOR_BATCH_SIZE }, 'log processor ready');
