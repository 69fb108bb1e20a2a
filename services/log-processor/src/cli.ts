import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { loadDotEnv } from '@llm-relay/config';
import { EXCHANGES_QUEUE, LogFilterSchema, SettingsSchema } from '@llm-relay/contracts';
import { createRedis, readSettings, replayFailedJobs, restrictFileModes } from '@llm-relay/server-kit';
import { createStore } from '@llm-relay/store';
import { readEnv } from './env.ts';
import { recomputeCosts } from './features/pricing/recompute.ts';

const USAGE = `usage: node services/log-processor/src/cli.ts <command>

  replay-failed                      put every failed exchange job back in the queue
  recompute-costs [--from ISO|ms] [--to ISO|ms] [--model NAME]
                                     reprice stored logs with the price table and the current
                                     settings.priceOverrides (roll-ups are corrected too)
`;

restrictFileModes();
loadDotEnv();
const env = readEnv();
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { from: { type: 'string' }, to: { type: 'string' }, model: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
const command = positionals[0];
const time = (v: string | undefined) => (v === undefined ? undefined : /^\d+$/.test(v) ? Number(v) : Date.parse(v));

if (values.help || !command) {
  process.stdout.write(USAGE);
  process.exit(command ? 0 : 2);
}

if (command === 'replay-failed') {
  const redis = createRedis(env.REDIS_URL, 'client');
  const queue = new Queue(EXCHANGES_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
  try {
    const n = await replayFailedJobs(queue);
    process.stdout.write(`replayed ${n} failed job(s)\n`);
  } finally {
    await queue.close();
    await redis.quit();
  }
} else if (command === 'recompute-costs') {
  const redis = createRedis(env.REDIS_URL, 'client');
  const store = await createStore(env.DATABASE_URL);
  try {
    const settings = (await readSettings(redis, env.REDIS_PREFIX))?.settings ?? SettingsSchema.parse({});
    const filter = LogFilterSchema.parse({ from: time(values.from), to: time(values.to), model: values.model });
    const r = await recomputeCosts(store, filter, settings.priceOverrides);
    process.stdout.write(`repriced ${r.updated} log(s); total cost changed by ${r.deltaUsd.toFixed(6)} USD\n`);
  } finally {
    await store.close();
    await redis.quit();
  }
} else {
  process.stderr.write(`unknown command: ${command}\n${USAGE}`);
  process.exit(2);
}
