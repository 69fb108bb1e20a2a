import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PublishedSettingsSchema, SettingsSchema, redisKeys, type Settings } from '@llm-relay/contracts';
import { ConfigWatcher } from '@llm-relay/server-kit';
import { createRedactor } from '../redaction/index.ts';
import type { Redactor } from '../logs/build-log.ts';

/** a notice published while the subscriber was reconnecting is lost; the poll (of a few bytes) is the safety net */
const POLL_MS = 2_000;

/**
 * Runtime settings (redaction, keepRawStream, price overrides, retention), from the settings key admin
 * publishes with every gateway snapshot — never the snapshot itself, which holds provider secrets. The
 * same watcher as the gateway's (server-kit ConfigWatcher): reloaded on the change notice, polled as a
 * safety net; until settings exist the defaults apply, on a Redis error the last good ones stay.
 */
export class SettingsWatcher {
  private readonly watcher: ConfigWatcher<Settings>;
  private readonly defaults: Settings = SettingsSchema.parse({});
  private redactor: { key: string; value: Redactor } | null = null;

  constructor(redis: Redis, subscriber: Redis, prefix: string, log: Logger) {
    const keys = redisKeys(prefix);
    this.watcher = new ConfigWatcher<Settings>({
      redis,
      sub: subscriber,
      key: keys.settings,
      channel: keys.snapshotChannel,
      parse: (raw) => PublishedSettingsSchema.parse(JSON.parse(raw)).settings,
      what: 'settings',
      log,
      pollMs: POLL_MS,
    });
  }

  start(): Promise<void> {
    return this.watcher.start();
  }

  stop(): void {
    this.watcher.stop();
  }

  /** Read the settings now; resolves once the read has settled. */
  reload(): Promise<void> {
    return this.watcher.reload();
  }

  get current(): Settings {
    return this.watcher.current ?? this.defaults;
  }

  /** The redactor for the current settings, or null when redaction is off; rebuilt only when the types change. */
  currentRedactor(): Redactor | null {
    const settings = this.current;
    if (!settings.redactLogs) return null;
    const key = [...settings.redactTypes].sort().join(',');
    if (this.redactor?.key !== key) this.redactor = { key, value: createRedactor(settings.redactTypes) };
    return this.redactor.value;
  }
}
