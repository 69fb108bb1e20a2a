import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { withTimeout, type Logger } from '@llm-relay/server-kit';
import { redisKeys, storedAcksKey } from '@llm-relay/contracts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { Journal } from './journal.ts';
import type { EventSink } from './event-sink.ts';

const POLL_TIMEOUT_MS = 2_000;
const READ_COUNT = 5_000;

// the epoch: read it, or set a new one when it is missing (Redis lost its data, or is new)
const EPOCH = `
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`;

type EpochRedis = Redis & { relayEpoch(key: string, fresh: string): Promise<string> };

/**
 * Reads what the processors acknowledge as stored (a stream per gateway replica) and lets the journal
 * forget it; and watches Redis's data epoch: when it changes, Redis lost its data (the queue with it),
 * so every journaled event not yet stored is queued again at once. Duplicates are impossible to store:
 * job ids and stored log ids are the event ids.
 */
export class StoredAcks {
  private epoch: string | null = null;
  private lastId = '0-0';
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private readonly redis: EpochRedis;
  private readonly prefix: string;
  private readonly key: string;
  private readonly journal: Journal;
  private readonly sink: EventSink;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly intervalMs: number;

  constructor(opts: { redis: Redis; prefix: string; gatewayId: string; journal: Journal; sink: EventSink; metrics: Metrics; log: Logger; intervalMs: number }) {
    this.redis = opts.redis as EpochRedis;
    this.redis.defineCommand('relayEpoch', { numberOfKeys: 1, lua: EPOCH });
    this.prefix = opts.prefix;
    this.key = storedAcksKey(opts.prefix, opts.gatewayId);
    this.journal = opts.journal;
    this.sink = opts.sink;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.intervalMs = opts.intervalMs;
  }

  start(): void {
    // right after a reconnect is when Redis may come back empty: look at once
    this.redis.on('ready', () => void this.poll());
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  poll(): Promise<void> {
    if (this.polling || this.redis.status !== 'ready') return this.polling ?? Promise.resolve();
    this.polling = this.pollOnce()
      .catch((err: Error) => this.log.debug({ err: err.message }, 'stored-acks poll failed; next tick retries'))
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const epoch = await withTimeout(this.redis.relayEpoch(redisKeys(this.prefix).epoch, randomUUID()), POLL_TIMEOUT_MS);
    if (this.epoch !== null && epoch !== this.epoch) {
      const events = this.journal.requeueAll();
      this.lastId = '0-0';
      this.metrics.redisDataLoss.inc();
      this.log.warn({ events, was: this.epoch, now: epoch }, 'Redis lost its data (its epoch changed): queueing again every journaled event not yet stored');
      void this.sink.replay();
    }
    this.epoch = epoch;
    const res = (await withTimeout(this.redis.xread('COUNT', READ_COUNT, 'STREAMS', this.key, this.lastId), POLL_TIMEOUT_MS)) as [string, [string, string[]][]][] | null;
    const entries = res?.[0]?.[1] ?? [];
    if (entries.length === 0) return;
    const ids: string[] = [];
    for (const [, fields] of entries) {
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'ids') ids.push(...fields[i + 1]!.split(','));
    }
    const acked = await this.journal.ack(ids);
    this.metrics.storedAcks.inc(acked);
    this.lastId = entries.at(-1)![0];
    // what was read is done with: keep the stream short (only this replica reads it)
    await withTimeout(this.redis.xtrim(this.key, 'MINID', this.lastId), POLL_TIMEOUT_MS).catch(() => undefined);
    this.metrics.journalBytes.set(this.journal.size);
    this.metrics.journalWaiting.set(this.journal.unacked);
  }
}
