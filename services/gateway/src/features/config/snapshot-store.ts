import type { Redis } from 'ioredis';
import type { Logger } from '@llm-relay/server-kit';
import { GatewaySnapshotSchema, redisKeys } from '@llm-relay/contracts';
import { compileSnapshot, type CompiledConfig } from './compiled.ts';
import { withTimeout } from '../with-timeout.ts';

const READ_TIMEOUT_MS = 2_000;
const HEAD_BYTES = 96;
const FULL_EVERY = 30;
const RETRY_MS = 250;

/**
 * Holds the configuration snapshot in memory. Reloads on the pub/sub notice (so a revoked key stops
 * working within a second) and re-reads on a timer as a safety net for a missed notice. When Redis is
 * unreachable it keeps the last good snapshot: the relay keeps serving.
 */
export class SnapshotStore {
  current: CompiledConfig | null = null;
  private lastRaw: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private lastHead: Buffer | null = null;
  private polls = 0;
  private loading: Promise<void> | null = null;
  private again = false;
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly onChange: (cfg: CompiledConfig) => void;

  constructor(opts: { redis: Redis; sub: Redis; prefix: string; log: Logger; pollMs: number; onChange: (cfg: CompiledConfig) => void }) {
    this.redis = opts.redis;
    this.sub = opts.sub;
    this.prefix = opts.prefix;
    this.log = opts.log;
    this.pollMs = opts.pollMs;
    this.onChange = opts.onChange;
  }

  async start(): Promise<void> {
    const channel = redisKeys(this.prefix).snapshotChannel;
    this.sub.on('message', (ch: string) => {
      if (ch === channel) void this.reload();
    });
    // after a reconnect the subscription is restored by ioredis, but notices sent meanwhile are lost
    this.sub.on('ready', () => void this.reload());
    await this.sub.subscribe(channel).catch((err: Error) => this.log.warn({ err }, 'snapshot subscribe failed; relying on polling'));
    await this.reload();
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
  }

  /**
   * The safety net for a lost notice: every poll reads only the first bytes of the snapshot (its JSON
   * starts with `version` and `writtenAt`, which change with every write) and reloads when they differ;
   * every FULL_EVERY polls it reloads anyway, for a writer that kept both.
   */
  private async poll(): Promise<void> {
    if (this.loading) return;
    if (++this.polls % FULL_EVERY === 0) return this.reload();
    try {
      const head = await withTimeout(this.redis.getrangeBuffer(redisKeys(this.prefix).snapshot, 0, HEAD_BYTES - 1), READ_TIMEOUT_MS);
      if (!this.lastHead || !head.equals(this.lastHead)) await this.reload();
    } catch {
      // Redis unreachable: keep serving on the last good snapshot
    }
  }

  /** Coalesces concurrent reloads: at most one in flight and one queued. */
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

  private async load(): Promise<void> {
    let raw: string | null;
    try {
      raw = await withTimeout(this.redis.get(redisKeys(this.prefix).snapshot), READ_TIMEOUT_MS);
    } catch (err) {
      // a notice must not be lost to a failed read: try again soon, not only at the next poll
      this.log.warn({ err: (err as Error).message }, 'snapshot read failed; keeping the last good one and retrying');
      if (!this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          void this.reload();
        }, RETRY_MS);
        this.retry.unref();
      }
      return;
    }
    if (raw === null || raw === this.lastRaw) return;
    this.lastHead = Buffer.from(raw).subarray(0, HEAD_BYTES);
    try {
      const parsed = GatewaySnapshotSchema.parse(JSON.parse(raw));
      const compiled = compileSnapshot(parsed);
      this.lastRaw = raw;
      this.current = compiled;
      this.onChange(compiled);
      this.log.info({ version: parsed.version, providers: compiled.providers.length, keys: compiled.keysByHash.size }, 'config snapshot loaded');
    } catch (err) {
      this.lastRaw = raw;
      this.log.error({ err }, 'invalid config snapshot in Redis; keeping the last good one');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
  }
}
