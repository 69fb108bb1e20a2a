/**
 * The process-wide allowance for captured bytes held in memory (from the first captured byte until the
 * event has been handed to the queue or the journal). Without it, many slow readers of large answers each
 * keep everything that was forwarded: the kernel socket buffers absorb most of an answer, so the gateway
 * would hold (streams × answer) bytes. A capture that cannot get room is cut and flagged `truncated`.
 */
export class CaptureBudget {
  inFlight = 0;
  /** captures cut because the budget was used up */
  cut = 0;
  readonly limit: number;
  private readonly onChange: ((inFlight: number) => void) | undefined;
  private readonly onCut: (() => void) | undefined;
  constructor(limit: number, hooks: { onChange?: (inFlight: number) => void; onCut?: () => void } = {}) {
    this.limit = limit;
    this.onChange = hooks.onChange;
    this.onCut = hooks.onCut;
  }
  /** Reserve up to `n` bytes; returns how many were granted. */
  take(n: number): number {
    const got = Math.max(0, Math.min(n, this.limit - this.inFlight));
    if (got > 0) {
      this.inFlight += got;
      this.onChange?.(this.inFlight);
    }
    return got;
  }
  give(n: number): void {
    if (n <= 0) return;
    this.inFlight = Math.max(0, this.inFlight - n);
    this.onChange?.(this.inFlight);
  }
  countCut(): void {
    this.cut++;
    this.onCut?.();
  }
}
