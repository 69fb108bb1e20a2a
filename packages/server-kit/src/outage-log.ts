import type { Logger } from 'pino';

const FIRST_REPEAT_MS = 5_000;
const MAX_REPEAT_MS = 5 * 60_000;

/**
 * Logs an outage of something a service keeps retrying (a snapshot read, an enqueue) without flooding:
 * the first failure at warn, then again only after a backoff (5 s, doubling to 5 min) with the count of
 * failures since, and once at info when it works again, with how long the outage lasted.
 */
export class OutageLog {
  private since: number | null = null;
  private failures = 0;
  private nextAt = 0;
  private repeatMs = FIRST_REPEAT_MS;
  private readonly log: Logger;
  private readonly what: string;
  private readonly now: () => number;

  /** `what` names the operation, e.g. 'snapshot read' (messages say "snapshot read failed" / "... recovered"). */
  constructor(log: Logger, what: string, now: () => number = Date.now) {
    this.log = log;
    this.what = what;
    this.now = now;
  }

  get failing(): boolean {
    return this.since !== null;
  }

  /** ms since the outage began, 0 when none */
  get durationMs(): number {
    return this.since === null ? 0 : this.now() - this.since;
  }

  failed(err: unknown, extra: Record<string, unknown> = {}): void {
    const t = this.now();
    this.failures++;
    const message = err instanceof Error ? err.message : String(err);
    if (this.since === null) {
      this.since = t;
      this.nextAt = t + FIRST_REPEAT_MS;
      this.repeatMs = FIRST_REPEAT_MS;
      this.log.warn({ ...extra, err: message }, `${this.what} failed; retrying (logged again at a backoff while it lasts)`);
      return;
    }
    if (t < this.nextAt) return;
    this.repeatMs = Math.min(this.repeatMs * 2, MAX_REPEAT_MS);
    this.nextAt = t + this.repeatMs;
    this.log.warn({ ...extra, err: message, failures: this.failures, outageMs: t - this.since }, `${this.what} still failing`);
  }

  succeeded(extra: Record<string, unknown> = {}): void {
    if (this.since === null) return;
    const outageMs = this.now() - this.since;
    this.log.info({ ...extra, outageMs, failures: this.failures }, `${this.what} recovered after ${(outageMs / 1000).toFixed(1)} s`);
    this.since = null;
    this.failures = 0;
  }
}
