import type { LiveClientMessage, LiveFilter, LiveLogSummary, LiveServerMessage } from '@llm-relay/contracts';

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveHandlers {
  message(msg: LiveServerMessage): void;
  status(s: LiveStatus): void;
  /** the connection is open: a good moment to (re)send the filter */
  opened(): void;
}
export interface LiveConnection {
  send(msg: LiveClientMessage): void;
  close(): void;
}
/** Where live messages come from: the admin WebSocket in the app, an in-memory source in tests. */
export interface LiveSource {
  /** `lastId()` is read at every (re)connect so a reconnect resumes after the last log seen */
  connect(lastId: () => string | null, handlers: LiveHandlers): LiveConnection;
}

export interface LagNotice {
  at: number;
  skipped: number;
}

export interface LiveLogsOptions {
  capacity?: number;
  now?: () => number;
  /** when to publish arrivals to the UI; batching keeps 200 logs/s from re-rendering 200 times */
  schedule?: (fn: () => void) => void;
  /** seconds the rate is averaged over */
  rateWindowSec?: number;
  /**
   * At most one publish per this many ms: a lone log shows at the next frame, but under a flood the
   * table re-renders ten times a second instead of sixty (default 100).
   */
  minFlushMs?: number;
}

const defaultSchedule = (fn: () => void) => {
  if (typeof requestAnimationFrame === 'function' && !document.hidden) requestAnimationFrame(fn);
  else setTimeout(fn, 100);
};

/**
 * The live log buffer: newest first, bounded, deduplicated by id. Arrivals are batched into one
 * array replacement per frame ($state.raw: the list is replaced, never mutated in place).
 */
export class LiveLogs {
  #items = $state.raw<LiveLogSummary[]>([]);
  #status = $state<LiveStatus>('idle');
  #paused = $state(false);
  #held = $state(0);
  #rate = $state(0);
  #lagged = $state.raw<LagNotice[]>([]);

  readonly capacity: number;
  #now: () => number;
  #schedule: (fn: () => void) => void;
  #rateWindowSec: number;
  #minFlushMs: number;
  #lastFlushAt = -Infinity;
  #pending: LiveLogSummary[] = [];
  #ids = new Set<string>();
  #scheduled = false;
  #lastId: string | null = null;
  #filter: LiveFilter = {};
  #conn: LiveConnection | null = null;
  /** arrivals per whole second, for the rate */
  #buckets = new Map<number, number>();

  constructor(opts: LiveLogsOptions = {}) {
    this.capacity = opts.capacity ?? 10_000;
    this.#now = opts.now ?? Date.now;
    this.#schedule = opts.schedule ?? defaultSchedule;
    this.#rateWindowSec = opts.rateWindowSec ?? 5;
    this.#minFlushMs = opts.minFlushMs ?? 100;
  }

  get items(): LiveLogSummary[] {
    return this.#items;
  }
  get status(): LiveStatus {
    return this.#status;
  }
  get paused(): boolean {
    return this.#paused;
  }
  /** logs that arrived while paused and are not shown yet */
  get held(): number {
    return this.#held;
  }
  /** logs per second over the last few seconds */
  get rate(): number {
    return this.#rate;
  }
  get lagged(): LagNotice[] {
    return this.#lagged;
  }
  get lastId(): string | null {
    return this.#lastId;
  }

  ingest(msg: LiveServerMessage): void {
    if (msg.type === 'log') {
      this.#lastId = msg.streamId;
      this.#count();
      if (this.#ids.has(msg.log.id)) return;
      this.#ids.add(msg.log.id);
      this.#pending.push(msg.log);
      if (this.#pending.length > this.capacity) {
        for (const dropped of this.#pending.splice(0, this.#pending.length - this.capacity)) this.#ids.delete(dropped.id);
      }
      if (this.#paused) this.#held = this.#pending.length;
      else this.#requestFlush();
    } else if (msg.type === 'lagged') {
      this.#lagged = [{ at: this.#now(), skipped: msg.skipped }, ...this.#lagged].slice(0, 20);
    } else if (msg.type === 'hello') {
      if (msg.lastId && !this.#lastId) this.#lastId = msg.lastId;
    }
  }

  /** Older logs fetched over HTTP when the view opens; they go below anything already live. */
  seed(logs: LiveLogSummary[]): void {
    const fresh = logs.filter((l) => !this.#ids.has(l.id));
    for (const l of fresh) this.#ids.add(l.id);
    this.#replace([...this.#items, ...fresh]);
  }

  /** Publish pending arrivals now (the scheduler calls this once per frame). */
  flush(): void {
    this.#scheduled = false;
    this.#updateRate();
    if (this.#paused || this.#pending.length === 0) return;
    this.#lastFlushAt = this.#now();
    const arrived = this.#pending.reverse();
    this.#pending = [];
    this.#replace(arrived.concat(this.#items));
  }

  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    this.#held = 0;
    this.flush();
  }

  clear(): void {
    this.#items = [];
    this.#pending = [];
    this.#ids.clear();
    this.#held = 0;
    this.#lagged = [];
  }

  /** New server-side filter: what is shown no longer matches, so the buffer starts over. */
  setFilter(filter: LiveFilter): void {
    this.#filter = filter;
    this.clear();
    this.#conn?.send({ type: 'filter', filter });
  }

  listen(source: LiveSource): () => void {
    this.#status = 'connecting';
    const conn = source.connect(() => this.#lastId, {
      message: (m) => this.ingest(m),
      status: (s) => (this.#status = s),
      opened: () => conn.send({ type: 'filter', filter: this.#filter }),
    });
    this.#conn = conn;
    const tick = setInterval(() => this.#updateRate(), 1000);
    return () => {
      clearInterval(tick);
      conn.close();
      if (this.#conn === conn) this.#conn = null;
      this.#status = 'closed';
    };
  }

  #replace(next: LiveLogSummary[]): void {
    if (next.length > this.capacity) {
      for (let i = this.capacity; i < next.length; i++) this.#ids.delete(next[i]!.id);
      next = next.slice(0, this.capacity);
    }
    this.#items = next;
  }

  #requestFlush(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastFlushAt + this.#minFlushMs - this.#now();
    if (wait > 0) setTimeout(() => this.#schedule(() => this.flush()), wait);
    else this.#schedule(() => this.flush());
  }

  #count(): void {
    const sec = Math.floor(this.#now() / 1000);
    this.#buckets.set(sec, (this.#buckets.get(sec) ?? 0) + 1);
  }

  #updateRate(): void {
    // whole seconds that have ended, so a half-elapsed current second does not halve the rate
    const nowSec = Math.floor(this.#now() / 1000);
    let n = 0;
    for (const [sec, c] of this.#buckets) {
      if (sec < nowSec - this.#rateWindowSec) this.#buckets.delete(sec);
      else if (sec < nowSec) n += c;
    }
    this.#rate = n / this.#rateWindowSec;
  }
}
