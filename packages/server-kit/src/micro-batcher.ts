interface Pending<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

const ignore = (): void => undefined;

/**
 * Collects items and hands them to `flush` in batches of up to `maxSize`, or after `maxWaitMs` when a
 * batch does not fill, or once the pending items weigh `maxWeight`. Each `add()` settles only when its
 * batch's flush has settled, so a caller (a queue job) is never acknowledged before its item is stored;
 * `submit()` is the same without a promise, for callers that only hand items off (the gateway's events).
 * One flush runs at a time and batches keep their order; items that arrive meanwhile form the next batches,
 * each again cut at `maxSize` items or `maxWeight`.
 * Used by the log processor (jobs → store writes) and the gateway (events → journal + queue).
 */
export class MicroBatcher<T, R> {
  private pending: Pending<T, R>[] = [];
  private pendingWeight = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly maxSize: number;
  private maxWaitMs: number;
  private readonly flushFn: (items: T[]) => Promise<R[]>;
  private readonly weigh: (item: T) => number;
  private readonly maxWeight: number;

  /** `weigh`/`maxWeight`: also flush once the pending items weigh this much (bytes held in memory). */
  constructor(opts: { maxSize: number; maxWaitMs: number; flush: (items: T[]) => Promise<R[]>; weigh?: (item: T) => number; maxWeight?: number }) {
    this.maxSize = opts.maxSize;
    this.maxWaitMs = opts.maxWaitMs;
    this.flushFn = opts.flush;
    this.weigh = opts.weigh ?? (() => 0);
    this.maxWeight = opts.maxWeight ?? Infinity;
  }

  get size(): number {
    return this.pending.length;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => this.enqueue({ item, resolve, reject }));
  }

  /** Hand an item off without waiting for its result (the flush function reports failures itself). */
  submit(item: T): void {
    this.enqueue({ item, resolve: ignore, reject: ignore });
  }

  private enqueue(p: Pending<T, R>): void {
    this.pending.push(p);
    this.pendingWeight += this.weigh(p.item);
    if (this.pending.length >= this.maxSize || this.pendingWeight >= this.maxWeight) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.maxWaitMs);
  }

  /** From now on flush without waiting for batches to fill (shutdown: held jobs must not wait for a timer). */
  flushEagerly(): void {
    this.maxWaitMs = 0;
    this.kick();
  }

  /** Flush what is pending and wait until every flush has settled. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing || this.pending.length === 0) return;
    // a batch ends at maxSize items or once it weighs maxWeight, also when more piled up during a flush:
    // the weight bounds what one flush holds at once (the gateway's JSON and Redis copies of large events)
    let n = 0;
    let weight = 0;
    while (n < this.pending.length && n < this.maxSize && weight < this.maxWeight) weight += this.weigh(this.pending[n++]!.item);
    const batch = this.pending.splice(0, n);
    this.pendingWeight -= weight;
    this.flushing = this.run(batch).finally(() => {
      this.flushing = null;
      if (this.pending.length >= this.maxSize || this.pendingWeight >= this.maxWeight) this.kick();
      else if (this.pending.length > 0) this.timer ??= setTimeout(() => this.kick(), this.maxWaitMs);
    });
  }

  private async run(batch: Pending<T, R>[]): Promise<void> {
    try {
      const results = await this.flushFn(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
