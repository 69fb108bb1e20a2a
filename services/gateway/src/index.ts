import cluster from 'node:cluster';
import { loadDotEnv } from '@llm-relay/config';
import { createLogger, installShutdown, restrictFileModes } from '@llm-relay/server-kit';
import { readEnv, type GatewayEnv } from './env.ts';
import { build } from './app.ts';
import { isPrimary, runPrimary, workerEnv } from './workers.ts';

/** after the shutdown timeout, time to cut in-flight exchanges and write their events */
const SHUTDOWN_FLUSH_MARGIN_MS = 15_000;

restrictFileModes();
loadDotEnv();
const parsed = readEnv();
const log = createLogger('gateway', parsed.LOG_LEVEL);
if (isPrimary(parsed)) {
  runPrimary(parsed, log);
} else {
  await serve(workerEnv(parsed));
}

async function serve(env: GatewayEnv): Promise<void> {
  // no Redis check: a gateway starts and serves without Redis, from its cached snapshot (see app.ts)
  const app = await build(env, log);
  await app.listen({ port: env.GATEWAY_PORT, host: env.GATEWAY_HOST });
  log.info({ port: env.GATEWAY_PORT, host: env.GATEWAY_HOST, gatewayId: env.GATEWAY_ID }, 'gateway listening');

  // drain before closing: a restart without a prior drain (what `docker compose restart` does) must not
  // refuse or reset requests a balancer still sends while it has not yet seen /readyz fail
  const stop = installShutdown(
    log,
    [
      { name: 'drain (not ready, still serving)', run: () => app.drain(env.SHUTDOWN_DRAIN_MS) },
      { name: 'http server, in-flight requests (cut at SHUTDOWN_TIMEOUT_MS), event flush, connections', run: () => app.closeWithin(env.SHUTDOWN_TIMEOUT_MS) },
    ],
    // the last resort only: the close step cuts what still runs at SHUTDOWN_TIMEOUT_MS and flushes it first
    env.SHUTDOWN_DRAIN_MS + env.SHUTDOWN_TIMEOUT_MS + SHUTDOWN_FLUSH_MARGIN_MS,
  );
  // a worker whose primary is gone (killed) shuts down in order too, rather than serve on unsupervised
  if (cluster.isWorker) process.once('disconnect', () => void stop().then(() => process.exit(0)));
}
