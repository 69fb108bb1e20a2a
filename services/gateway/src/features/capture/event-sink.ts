import type { Redis } from 'ioredis';
import { exchangeBatchJobs, JsonTextQueue, withTimeout, MicroBatcher, OutageLog, type Logger } from '@llm-relay/server-kit';
import { EXCHANGES_QUEUE, type ExchangeEvent } from '@llm-relay/contracts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { Journal, JournalLine } from './journal.ts';

const ADD_TIMEOUT_MS = 2_000;
const REPLAY_INTERVAL_MS = 1_000;
/** one replayed addBulk carries at most this much */
const REPLAY_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * A batch is also closed once its events hold this many captured bytes: batches are serialised one at a
 * time, so this bounds the transient copies (JSON, Redis command buffers) of a burst of large events.
 */
const BATCH_HELD_BYTES = 8 * 1024 * 1024;

interface Item {
  ev: ExchangeEvent;
  /** capture-budget bytes the event holds, given back once its batch is journaled and queued */
  held: number;
}

/**
 * Takes finished exchange events off the response path: `push` only hands them to a micro-batcher,
 * which every few milliseconds writes a batch to the journal and then queues it as `exchange-batch` jobs
 * (one per ~1 MiB of events, all in one `addBulk`).
 * The journal keeps each event until the processor acknowledges it as stored (StoredAcks), so an
 * event that Redis never got (down, slow) or lost (an empty restart) is queued again by `replay()`.
 * Journal order is kept: while older events wait to be queued, a new batch waits behind them.
 */
export class EventSink {
  private readonly batcher: MicroBatcher<Item, void>;
  private readonly replayTimer: NodeJS.Timeout;
  private replaying: Promise<void> | null = null;
  /**
   * A batch is being journaled and queued. Replay waits for it: otherwise a replay that starts in between
   * (the 1 s timer) finds that batch "unqueued", re-reads whole journal segments from disk, parses every line
   * and adds the batch a second time — under saturation that was ~12 % of the gateway's CPU.
   */
  private writing = false;
  dropped = 0;
  private readonly queue: JsonTextQueue;
  private readonly conn: Redis;
  private readonly journal: Journal;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly gatewayId: string;
  private readonly release: (bytes: number) => void;
  private readonly enqueueOutage: OutageLog;

  constructor(opts: { conn: Redis; prefix: string; journal: Journal; metrics: Metrics; log: Logger; gatewayId: string; batchMs: number; batchSize: number; release?: (bytes: number) => void }) {
    this.conn = opts.conn;
    this.journal = opts.journal;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.gatewayId = opts.gatewayId;
    this.release = opts.release ?? (() => undefined);
    this.enqueueOutage = new OutageLog(opts.log, 'enqueue (events wait in the journal)');
    this.batcher = new MicroBatcher<Item, void>({
      maxSize: opts.batchSize,
      maxWaitMs: opts.batchMs,
      weigh: (i) => i.held,
      maxWeight: BATCH_HELD_BYTES,
      flush: (items) => this.write(items),
    });
    this.queue = new JsonTextQueue(EXCHANGES_QUEUE, { connection: opts.conn, prefix: opts.prefix });
    this.queue.on('error', (err) => this.log.debug({ err }, 'queue connection error'));
    this.conn.on('ready', () => void this.replay());
    this.replayTimer = setInterval(() => void this.replay(), REPLAY_INTERVAL_MS);
    this.replayTimer.unref();
    this.report();
  }

  push(ev: ExchangeEvent, held = 0): void {
    this.batcher.submit({ ev, held });
  }

  private async write(items: Item[]): Promise<void[]> {
    this.writing = true;
    try {
      // serialised once: the journal keeps this text and the queue gets the same string
      const lines = items.map((i) => ({ id: i.ev.id, line: JSON.stringify(i.ev) }));
      const notKept = new Set(await this.journal.append(lines));
      const kept = items.length - notKept.size;
      this.metrics.journalEvents.inc(kept);
      // queue now only what keeps the journal's order: this batch when nothing older waits, and
      // always what the journal could not keep (nothing else would ever queue it)
      const direct = this.journal.unqueued === kept ? lines : lines.filter((l) => notKept.has(l.id));
      let queued = false;
      if (direct.length > 0 && this.conn.status === 'ready') {
        try {
          await this.add(direct);
          this.journal.markQueued(direct.map((l) => l.id));
          this.metrics.enqueueBatches.inc({ result: 'queued' });
          queued = true;
          this.enqueueOutage.succeeded();
        } catch (err) {
          this.enqueueOutage.failed(err, { events: direct.length });
        }
      }
      if (!queued) {
        this.metrics.enqueueBatches.inc({ result: 'journaled' });
        if (notKept.size > 0) this.countDropped(notKept.size, this.journal.full ? 'journal full and Redis unreachable' : 'journal write failed and Redis unreachable');
      }
    } finally {
      this.writing = false;
      this.release(items.reduce((n, i) => n + i.held, 0));
      this.report();
    }
    // what this batch left unqueued (Redis down or slow), or what arrived while it ran, is replayed now
    if (this.journal.unqueued > 0) void this.replay();
    return items.map(() => undefined);
  }

  private countDropped(n: number, why: string): void {
    this.dropped += n;
    this.metrics.dropped.inc(n);
    this.log.error({ dropped: n, total: this.dropped, why }, 'exchange events dropped');
  }

  /** Queue events given as their JSON text, as `exchange-batch` jobs (exchangeBatchJobs). */
  private async add(events: JournalLine[]): Promise<void> {
    const jobs = exchangeBatchJobs(events);
    // a timed-out add may still land later: the replayed copy of the same events has the same job id, so it is
    // deduplicated (a replay that cuts them differently makes other jobs, and the store's ids absorb those)
    await withTimeout(this.queue.addBulk(jobs), ADD_TIMEOUT_MS);
    this.metrics.enqueuedEvents.inc(events.length);
  }

  /** Queue, in journal order, every journaled event not in the queue, while Redis answers. */
  replay(): Promise<void> {
    if (this.writing || this.replaying || this.journal.unqueued === 0 || this.conn.status !== 'ready') return this.replaying ?? Promise.resolve();
    this.replaying = this.replayAll().finally(() => {
      this.replaying = null;
    });
    return this.replaying;
  }

  private async replayAll(): Promise<void> {
    let events = 0;
    try {
      for (;;) {
        const lines = await this.journal.readUnqueued(REPLAY_CHUNK_BYTES);
        if (lines.length === 0) break;
        const batch: JournalLine[] = [];
        const damaged: string[] = [];
        for (const l of lines) {
          try {
            const ev = JSON.parse(l.line) as ExchangeEvent;
            // adopted from a stopped replica: this one keeps it now, so the acknowledgement must come here
            if (ev.gatewayId !== this.gatewayId) ev.ackTo = this.gatewayId;
            else if (ev.ackTo !== undefined) delete ev.ackTo;
            else {
              batch.push(l);
              continue;
            }
            batch.push({ id: l.id, line: JSON.stringify(ev) });
          } catch {
            damaged.push(l.id);
          }
        }
        if (damaged.length > 0) {
          // only a crash mid-append leaves a damaged line; it can never be queued
          await this.journal.ack(damaged);
          this.countDropped(damaged.length, 'damaged journal line');
        }
        await this.add(batch);
        this.journal.markQueued(batch.map((l) => l.id));
        this.metrics.replayedEvents.inc(batch.length);
        events += batch.length;
      }
      this.enqueueOutage.succeeded();
    } catch (err) {
      this.enqueueOutage.failed(err, { replaying: true });
    } finally {
      this.report();
    }
    if (events > 0) this.log.info({ events, waitingToBeStored: this.journal.unacked }, 'journaled events queued');
  }

  private report(): void {
    this.metrics.journalBytes.set(this.journal.size);
    this.metrics.journalWaiting.set(this.journal.unacked);
    this.metrics.journalFull.set(this.journal.full ? 1 : 0);
  }

  /** Write what is batched, then queue what Redis takes; what it does not stays in the journal. */
  async close(): Promise<void> {
    clearInterval(this.replayTimer);
    this.batcher.flushEagerly();
    await this.batcher.drain();
    await this.replay();
    await this.queue.close().catch(() => undefined);
  }
}

