import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@llm-relay/server-kit';
import { EXCHANGE_JOB_NAME, EXCHANGE_JOB_OPTIONS, EXCHANGES_QUEUE, type ExchangeEvent } from '@llm-relay/contracts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { Journal } from './journal.ts';
import { withTimeout } from '../with-timeout.ts';

const ADD_TIMEOUT_MS = 2_000;
const REPLAY_INTERVAL_MS = 1_000;
/**
 * A batch is also closed once its events hold this many captured bytes: batches are serialised one at a
 * time, so this bounds the transient copies (JSON, Redis command buffers) of a burst of large events.
 */
const BATCH_HELD_BYTES = 8 * 1024 * 1024;

/**
 * Takes finished exchange events off the response path: `push` only appends to an array. A
 * micro-batcher flushes every few milliseconds with one `addBulk`. When Redis is down or slow (or the
 * journal still holds older events, to keep order) the batch goes to the journal instead, and a replay
 * loop drains the journal into the queue once Redis answers again.
 */
export class EventSink {
  private buf: ExchangeEvent[] = [];
  /** capture-budget bytes the buffered events hold, given back once their batch is queued or journaled */
  private held = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private replayTimer: NodeJS.Timeout;
  private replaying = false;
  dropped = 0;
  private readonly queue: Queue;
  private readonly conn: Redis;
  private readonly journal: Journal;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly batchMs: number;
  private readonly batchSize: number;
  private readonly release: (bytes: number) => void;

  constructor(opts: { conn: Redis; prefix: string; journal: Journal; metrics: Metrics; log: Logger; batchMs: number; batchSize: number; release?: (bytes: number) => void }) {
    this.conn = opts.conn;
    this.journal = opts.journal;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.batchMs = opts.batchMs;
    this.batchSize = opts.batchSize;
    this.release = opts.release ?? (() => undefined);
    this.queue = new Queue(EXCHANGES_QUEUE, { connection: opts.conn, prefix: opts.prefix });
    this.queue.on('error', (err) => this.log.debug({ err }, 'queue connection error'));
    this.conn.on('ready', () => void this.replay());
    this.replayTimer = setInterval(() => void this.replay(), REPLAY_INTERVAL_MS);
    this.replayTimer.unref();
    this.metrics.journalBytes.set(this.journal.size);
  }

  push(ev: ExchangeEvent, held = 0): void {
    this.buf.push(ev);
    this.held += held;
    if (this.held >= BATCH_HELD_BYTES) void this.flush();
    else if (this.buf.length >= this.batchSize) this.flushSoon(0);
    else if (!this.timer) this.flushSoon(this.batchMs);
  }

  private flushSoon(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** Flushes run one after another so batches keep their order. */
  flush(): Promise<void> {
    if (this.buf.length === 0) return this.flushing;
    const batch = this.buf;
    const held = this.held;
    this.buf = [];
    this.held = 0;
    this.flushing = this.flushing.then(() => this.write(batch)).finally(() => this.release(held));
    return this.flushing;
  }

  private async write(batch: ExchangeEvent[]): Promise<void> {
    if (!this.journal.pending && this.conn.status === 'ready') {
      try {
        await this.add(batch);
        this.metrics.enqueueBatches.inc({ result: 'queued' });
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, events: batch.length }, 'enqueue failed; spooling to the journal');
      }
    }
    await this.spool(batch.map((e) => JSON.stringify(e)));
  }

  private async spool(lines: string[]): Promise<void> {
    try {
      const dropped = await this.journal.append(lines);
      this.metrics.enqueueBatches.inc({ result: 'journaled' });
      this.metrics.journalEvents.inc(lines.length - dropped);
      if (dropped) this.countDropped(dropped, 'journal full');
    } catch (err) {
      this.countDropped(lines.length, (err as Error).message);
    }
    this.metrics.journalBytes.set(this.journal.size);
  }

  private countDropped(n: number, why: string): void {
    this.dropped += n;
    this.metrics.dropped.inc(n);
    this.log.error({ dropped: n, total: this.dropped, why }, 'exchange events dropped');
  }

  private async add(batch: ExchangeEvent[]): Promise<void> {
    const jobs = batch.map((data) => ({ name: EXCHANGE_JOB_NAME, data, opts: { ...EXCHANGE_JOB_OPTIONS, jobId: data.id } }));
    // a timed-out add may still land later: the replayed copy has the same job id, so it is deduplicated
    await withTimeout(this.queue.addBulk(jobs), ADD_TIMEOUT_MS);
    this.metrics.enqueuedEvents.inc(batch.length);
  }

  /** Drain the journal into the queue, in order, while Redis answers. */
  async replay(): Promise<void> {
    if (this.replaying || !this.journal.pending || this.conn.status !== 'ready') return;
    this.replaying = true;
    const before = this.journal.size;
    try {
      for (;;) {
        const empty = await this.journal.replayStep((lines) => this.add(this.parseLines(lines)));
        this.metrics.journalBytes.set(this.journal.size);
        if (empty) break;
      }
      this.log.info({ bytes: before }, 'journal replayed into the queue');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'journal replay paused; Redis still failing');
    } finally {
      this.replaying = false;
    }
  }

  /** A line damaged by a crash mid-append is counted as dropped rather than blocking the replay forever. */
  private parseLines(lines: string[]): ExchangeEvent[] {
    const out: ExchangeEvent[] = [];
    for (const l of lines) {
      try {
        out.push(JSON.parse(l) as ExchangeEvent);
      } catch {
        this.countDropped(1, 'damaged journal line');
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    clearInterval(this.replayTimer);
    await this.flush();
    await this.flushing;
    await this.replay();
    await this.queue.close().catch(() => undefined);
  }
}
