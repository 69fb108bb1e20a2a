import cluster from 'node:cluster';
import { join } from 'node:path';
import type { Logger } from '@llm-relay/server-kit';
import type { GatewayEnv } from './env.ts';

/** a worker that dies this soon after its start is not forked again (a crash loop, a bad config) */
const CRASH_LOOP_MS = 5_000;

/**
 * GATEWAY_WORKERS > 1: this (primary) process forks one worker per slot, each of which serves the same port
 * (node:cluster hands connections round-robin) as a replica of its own. A worker that dies is replaced in its
 * slot, so its successor adopts the slot's journal. SIGTERM/SIGINT go to every worker, which run their own
 * ordered shutdown; the primary exits when the last one has.
 */
export function runPrimary(env: GatewayEnv, log: Logger): void {
  const slots = new Map<number, { startedAt: number }>();
  let stopping = false;
  const fork = (slot: number) => {
    const w = cluster.fork({ GATEWAY_WORKER_SLOT: String(slot) });
    slots.set(w.id, { startedAt: Date.now() });
    w.on('exit', (code, signal) => {
      const started = slots.get(w.id)!.startedAt;
      slots.delete(w.id);
      if (stopping) {
        if (slots.size === 0) process.exit(0);
        return;
      }
      const again = Date.now() - started > CRASH_LOOP_MS;
      log.error({ slot, code, signal, restarting: again }, again ? 'gateway worker exited; starting another in its slot' : 'gateway worker exited right after its start; not restarted');
      if (again) fork(slot);
      else if (slots.size === 0) process.exit(1);
    });
  };
  for (let slot = 0; slot < env.GATEWAY_WORKERS; slot++) fork(slot);
  log.info({ workers: env.GATEWAY_WORKERS, port: env.GATEWAY_PORT }, 'gateway primary: workers forked');
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      stopping = true;
      // SIGTERM whichever signal came: a Ctrl-C already gave each worker (same process group) its SIGINT, and
      // a second SIGINT would kill it outright (its shutdown listens once per signal)
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      if (slots.size === 0) process.exit(0);
    });
  }
}

/** A worker's own identity: its id and journal directory carry its slot. */
export function workerEnv(env: GatewayEnv): GatewayEnv {
  if (env.GATEWAY_WORKER_SLOT === undefined) return env;
  const slot = env.GATEWAY_WORKER_SLOT;
  return { ...env, GATEWAY_ID: `${env.GATEWAY_ID}-w${slot}`, JOURNAL_DIR: join(env.JOURNAL_DIR, `w${slot}`) };
}

export function isPrimary(env: GatewayEnv): boolean {
  return env.GATEWAY_WORKERS > 1 && cluster.isPrimary;
}
