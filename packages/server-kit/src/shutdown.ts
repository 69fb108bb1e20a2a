import type { Logger } from 'pino';

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
}

/**
 * One ordered shutdown for SIGTERM/SIGINT (CONTRIBUTING.md rule 15): each step logged, a hard timeout so a
 * stuck step cannot keep the process alive.
 */
export function installShutdown(log: Logger, steps: ShutdownStep[], hardTimeoutMs = 15_000): () => Promise<void> {
  let running: Promise<void> | null = null;
  const shutdown = (signal: string): Promise<void> => {
    if (running) return running;
    running = (async () => {
      log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        log.error({ hardTimeoutMs }, 'shutdown timed out; exiting');
        process.exit(1);
      }, hardTimeoutMs);
      timer.unref();
      for (const step of steps) {
        const t0 = Date.now();
        try {
          await step.run();
          log.info({ step: step.name, ms: Date.now() - t0 }, 'shutdown step done');
        } catch (err) {
          log.error({ err, step: step.name }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      log.info('shutdown complete');
    })();
    return running;
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      void shutdown(sig).then(() => process.exit(0));
    });
  }
  return () => shutdown('manual');
}
