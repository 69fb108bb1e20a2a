import type { Logger } from 'pino';
import type { Store } from '@llm-relay/store';
import { rollupsFor } from './rollups.ts';

/**
 * Completes the roll-ups of batches a crashed replica left half-done (only a store without transactions
 * leaves any: MongoDB's journal mode). Runs at start and every `intervalMs`, never overlapping with itself;
 * the store claims each entry, so replicas running it at once do not collide.
 */
export function scheduleRollupRecovery(store: Store, log: Logger, opts: { intervalMs: number; graceMs: number }): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = store
      .recoverRollups(rollupsFor, { olderThanMs: opts.graceMs })
      .then((n) => {
        if (n > 0) log.warn({ batches: n }, 'completed the roll-ups of interrupted batches');
      })
      .catch((err) => log.warn({ err }, 'roll-up recovery failed'))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
