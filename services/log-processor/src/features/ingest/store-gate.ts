import type { Logger } from 'pino';
import { isStoreUnavailable } from '@llm-relay/store';
import type { Metrics } from '../ops/metrics.ts';

export interface StoreGateOptions {
  metrics: Metrics;
  log: Logger;
  /** called once when the store becomes unavailable: stop taking jobs */
  onUnavailable: () => void;
  /** called once when a write succeeds again: take jobs again */
  onRecovered: () => void;
  /** first retry delay; doubled per attempt up to maxDelayMs */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Store unavailability is backpressure, not failure. `run(write)` retries a write for as long as the store
 * answers busy, locked, full or unreachable (isStoreUnavailable), with exponential backoff and no cap on
 * attempts, and tells the worker to pause meanwhile and to resume after the first write that succeeds. The
 * jobs waiting on the write stay active (BullMQ keeps renewing their locks) and the rest stay in the queue, so
 * nothing moves to the failed set however long the outage lasts. Any other error is thrown to the caller.
 */
export class StoreGate {
  private since: number | null = null;
  private abandoned = false;
  private readonly wakers = new Set<() => void>();
  private lastReport = 0;
  private outageWaiters: (() => void)[] = [];

  private readonly opts: StoreGateOptions;

  constructor(opts: StoreGateOptions) {
    this.opts = opts;
  }

  /** when the current outage began (ms), or null while the store takes writes */
  get unavailableSince(): number | null {
    return this.since;
  }

  /**
   * `endsOutage: false` for a call that may succeed without reaching the store (answered from a cache): its
   * success proves nothing, so it must not resume consumption during an outage. Only writes that always reach
   * the store (the log insert) end one.
   */
  async run<T>(write: () => Promise<T>, opts: { endsOutage?: boolean } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await write();
        if (opts.endsOutage !== false) this.recovered();
        return out;
      } catch (err) {
        if (!isStoreUnavailable(err)) throw err;
        this.unavailable(err as Error);
      }
      const min = this.opts.minDelayMs ?? 100;
      const delay = Math.min(this.opts.maxDelayMs ?? 5000, min * 2 ** Math.min(attempt, 16)) * (0.75 + Math.random() * 0.5);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, delay);
        this.wakers.add(wake);
      });
      this.opts.metrics.storeRetries.inc();
      // shutting down while the store is away: the held jobs are left unacknowledged (their locks lapse and
      // another replica, or this one after a restart, takes them) instead of being failed
      if (this.abandoned) return new Promise<T>(() => {});
    }
  }

  /** Settles when the store is unavailable: at once during an outage, else when the next one begins. */
  whenUnavailable(): Promise<void> {
    if (this.since !== null) return Promise.resolve();
    return new Promise((resolve) => this.outageWaiters.push(resolve));
  }

  /** Stop retrying: writes still waiting for the store never settle. For a shutdown during an outage. */
  abandon(): void {
    this.abandoned = true;
    for (const wake of [...this.wakers]) wake();
  }

  private unavailable(err: Error): void {
    const now = Date.now();
    if (this.since === null) {
      this.since = now;
      this.lastReport = now;
      this.opts.metrics.storeUnavailable.set(1);
      this.opts.log.warn({ err: err.message }, 'store unavailable: consumption paused; held jobs are retried until it takes writes again');
      this.opts.onUnavailable();
      for (const wake of this.outageWaiters.splice(0)) wake();
    } else if (now - this.lastReport >= 30_000) {
      this.lastReport = now;
      this.opts.log.warn({ err: err.message, downMs: now - this.since }, 'store still unavailable');
    }
  }

  private recovered(): void {
    if (this.since === null) return;
    this.opts.log.info({ downMs: Date.now() - this.since }, 'store available again: consumption resumed');
    this.since = null;
    this.opts.metrics.storeUnavailable.set(0);
    this.opts.onRecovered();
  }
}
