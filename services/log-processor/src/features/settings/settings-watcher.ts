import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { SettingsSchema, redisKeys, type Settings } from '@llm-relay/contracts';
import { readSnapshot } from '@llm-relay/server-kit';
import { createRedactor } from '../redaction/index.ts';
import type { Redactor } from '../logs/build-log.ts';

/**
 * Runtime settings (redaction, keepRawStream, price overrides, retention) come from the same gateway
 * config snapshot the gateways read, reloaded on its change notice: one mechanism for every runtime
 * setting. Until a snapshot exists the defaults apply; on a Redis error the last good settings stay.
 */
export class SettingsWatcher {
  private settings: Settings = SettingsSchema.parse({});
  private version = -1;
  private redactor: { key: string; value: Redactor } | null = null;
  private poll: NodeJS.Timeout | null = null;
  private reloading: Promise<void> = Promise.resolve();
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  private readonly log: Logger;

  constructor(redis: Redis, subscriber: Redis, prefix: string, log: Logger) {
    this.redis = redis;
    this.subscriber = subscriber;
    this.prefix = prefix;
    this.log = log;
  }

  async start(): Promise<void> {
    const channel = redisKeys(this.prefix).snapshotChannel;
    this.subscriber.on('message', (ch: string) => {
      if (ch === channel) void this.reload();
    });
    await this.subscriber.subscribe(channel);
    await this.reload();
    // a notice published while the subscriber was reconnecting is lost; the poll is the safety net
    this.poll = setInterval(() => void this.reload(), 10_000);
    this.poll.unref();
  }

  stop(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }

  /** Read the snapshot now; resolves once the new settings are in effect. */
  reload(): Promise<void> {
    // one read at a time, so an older read finishing late never replaces a newer snapshot
    this.reloading = this.reloading.then(() => this.readOnce());
    return this.reloading;
  }

  private async readOnce(): Promise<void> {
    try {
      const snap = await readSnapshot(this.redis, this.prefix);
      if (snap && snap.version !== this.version) {
        this.settings = snap.settings;
        this.version = snap.version;
        this.log.info({ version: snap.version, redactLogs: snap.settings.redactLogs }, 'settings loaded from snapshot');
      }
    } catch (err) {
      this.log.warn({ err }, 'could not read the config snapshot; keeping the last settings');
    }
  }

  get current(): Settings {
    return this.settings;
  }

  /** The redactor for the current settings, or null when redaction is off; rebuilt only when the types change. */
  currentRedactor(): Redactor | null {
    if (!this.settings.redactLogs) return null;
    const key = [...this.settings.redactTypes].sort().join(',');
    if (this.redactor?.key !== key) this.redactor = { key, value: createRedactor(this.settings.redactTypes) };
    return this.redactor.value;
  }
}
