import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { OutageLog } from './outage-log.ts';
import { withTimeout } from './with-timeout.ts';

const READ_TIMEOUT_MS = 2_000;
/** the documents start with `{"version":…,"writtenAt":…`, which change with every write */
const HEAD_BYTES = 96;
const FULL_EVERY = 30;
const RETRY_MS = 250;

export interface ConfigWatcherOptions<T> {
  /** a fail-fast connection for reads (nothing may hang on it) */
  redis: Redis;
  /** a subscriber connection for the change notice */
  sub: Redis;
  /** the Redis key holding the JSON document */
  key: string;
  /** the pub/sub channel on which a new version is announced */
  channel: string;
  /** validate and compile a raw document; throws when it is invalid */
  parse: (raw: string) => T;
  /** fires on every new document (also the one loaded from the cache file) */
  onChange?: (value: T) => void;
  /** names the document in logs, e.g. 'config snapshot' */
  what: string;
  log: Logger;
  /** the safety net beside the notice: a read of the document's first bytes this often */
  pollMs: number;
  /**
   * keep the last good document in this file (mode 0600: it may hold secrets) and start from it, so a
   * process can start and serve while Redis is down or has lost its data
   */
  cacheFile?: string;
}

/**
 * Holds one configuration document from Redis in memory: reloaded on its pub/sub notice (so a revoked key
 * stops working within a second) and on a poll as the safety net for a lost notice; on a Redis error the
 * last good document stays. A failing read is retried soon and logged once, then at a backoff, and once
 * more with the outage's length when it ends. Used by the gateway (the config snapshot, cached on disk)
 * and the log processor (its settings).
 */
export class ConfigWatcher<T> {
  current: T | null = null;
  private lastRaw: string | null = null;
  private lastHead: Buffer | null = null;
  private polls = 0;
  private timer: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private loading: Promise<void> | null = null;
  private again = false;
  private readonly o: ConfigWatcherOptions<T>;
  private readonly outage: OutageLog;

  constructor(opts: ConfigWatcherOptions<T>) {
    this.o = opts;
    this.outage = new OutageLog(opts.log, `${opts.what} read`);
  }

  /** Start from the cache file (if any), subscribe, read Redis once (without waiting for it to answer forever), poll. */
  async start(): Promise<void> {
    await this.loadCache();
    this.o.sub.on('message', (ch: string) => {
      if (ch === this.o.channel) void this.reload();
    });
    // after a reconnect the subscription is restored by ioredis, but notices sent meanwhile are lost
    this.o.sub.on('ready', () => void this.reload());
    // not awaited: while Redis is down the subscription waits for it, the process must not
    this.o.sub.subscribe(this.o.channel).catch((err: Error) => this.o.log.warn({ err: err.message }, `${this.o.what}: subscribe failed; relying on polling`));
    await this.reload();
    this.timer = setInterval(() => void this.poll(), this.o.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    this.timer = null;
    this.retry = null;
  }

  /** Coalesces concurrent reloads: at most one in flight and one queued. Resolves once a read has settled. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  /**
   * Every poll reads only the first bytes of the document and reloads when they differ; every FULL_EVERY
   * polls it reloads anyway, for a writer that kept them.
   */
  private async poll(): Promise<void> {
    if (this.loading) return;
    if (++this.polls % FULL_EVERY === 0) return this.reload();
    try {
      const head = await withTimeout(this.o.redis.getrangeBuffer(this.o.key, 0, HEAD_BYTES - 1), READ_TIMEOUT_MS);
      if (!this.lastHead || !head.equals(this.lastHead)) await this.reload();
    } catch {
      // unreachable: the read's own retry and log cover it
      if (!this.outage.failing) await this.reload();
    }
  }

  private async load(): Promise<void> {
    let raw: string | null;
    try {
      raw = await withTimeout(this.o.redis.get(this.o.key), READ_TIMEOUT_MS);
    } catch (err) {
      this.outage.failed(err, { keeping: this.lastRaw === null ? 'nothing yet' : 'the last good one' });
      // a notice must not be lost to a failed read: try again soon, not only at the next poll
      if (!this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.reload();
        }, RETRY_MS);
        this.retry.unref();
      }
      return;
    }
    this.outage.succeeded();
    // absent (Redis lost its data, or nothing was published yet): keep what we have; the writer republishes
    if (raw === null || raw === this.lastRaw) return;
    this.lastHead = Buffer.from(raw).subarray(0, HEAD_BYTES);
    if (this.apply(raw, 'redis')) await this.saveCache(raw);
  }

  private apply(raw: string, from: 'redis' | 'cache'): boolean {
    this.lastRaw = raw;
    try {
      const value = this.o.parse(raw);
      this.current = value;
      this.o.onChange?.(value);
      this.o.log.info({ from, version: versionOf(raw) }, `${this.o.what} loaded`);
      return true;
    } catch (err) {
      this.o.log.error({ err, from }, `invalid ${this.o.what}; keeping the last good one`);
      return false;
    }
  }

  private async loadCache(): Promise<void> {
    if (!this.o.cacheFile) return;
    let raw: string;
    try {
      raw = await readFile(this.o.cacheFile, 'utf8');
    } catch {
      return;
    }
    this.lastHead = Buffer.from(raw).subarray(0, HEAD_BYTES);
    this.apply(raw, 'cache');
  }

  /** Atomically (a temporary file renamed over it), created 0600 in a 0700 directory. */
  private async saveCache(raw: string): Promise<void> {
    const file = this.o.cacheFile;
    if (!file) return;
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await writeFile(tmp, raw, { mode: 0o600 });
      await rename(tmp, file);
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message, file }, `could not cache the ${this.o.what} on disk`);
    }
  }
}

function versionOf(raw: string): number | null {
  const m = /^\{"version":(\d+)/.exec(raw);
  return m ? Number(m[1]) : null;
}
