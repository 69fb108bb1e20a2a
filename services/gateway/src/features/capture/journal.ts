import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Logger } from '@llm-relay/server-kit';

/** a segment is closed past this size, so a stored segment's file can be deleted while later events wait */
const SEGMENT_BYTES = 8 * 1024 * 1024;
const ID_AT_START = /^\{"v":\d+,"id":"([^"]+)"/;

export interface JournalLine {
  id: string;
  /** the event as one line of JSON */
  line: string;
}

interface Segment {
  seq: number;
  path: string;
  bytes: number;
  /** events of this segment not yet acknowledged as stored */
  unacked: number;
  /** events of this segment not (or no longer) in the queue */
  unqueued: number;
}

interface Entry {
  seq: number;
  queued: boolean;
}

/**
 * The gateway's outbox: every event is written here (one JSON per line, in segment files) before it is
 * queued, and kept until the processor acknowledges that it is stored. Redis is then only a transport:
 * an event that Redis lost (a restart without persistence, a failover) is still here and is queued again;
 * an event that could not be queued at all (Redis down) waits here until Redis answers. A segment whose
 * events are all stored is deleted. The size is bounded by `maxBytes`: past it, new events are not
 * kept (they are still queued, without a local copy) until stored ones free room.
 *
 * The index (id -> segment, queued or not) lives in memory; after a crash the files are adopted by the
 * next gateway process and every event in them is queued again, which the job ids (= event ids) and the
 * store's idempotent writes absorb. Every file operation runs on one promise chain, so appends, reads,
 * deletes and adoption never interleave.
 */
export class Journal {
  private readonly base: string;
  private readonly dir: string;
  private readonly maxBytes: number;
  private readonly log: Logger;
  private readonly segments = new Map<number, Segment>();
  private readonly entries = new Map<string, Entry>();
  private seq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  /** bytes of the segment files on disk */
  size = 0;
  unqueued = 0;
  /** set while new events do not fit; reported once per episode */
  full = false;

  constructor(dir: string, gatewayId: string, maxBytes: number, log: Logger) {
    this.dir = dir;
    this.base = join(dir, `${gatewayId.replace(/[^A-Za-z0-9._-]/g, '_')}.${process.pid}`);
    this.maxBytes = maxBytes;
    this.log = log;
  }

  /** events kept until stored */
  get unacked(): number {
    return this.entries.size;
  }

  /** Create the directory and adopt the segments of gateway processes that are gone (crash, restart). */
  open(): Promise<void> {
    return this.run(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      for (const name of (await readdir(this.dir)).sort(bySegment)) {
        // current segments: <id>.<pid>.j<seq>.ndjson; before segments: <id>.<pid>.ndjson
        const m = /\.(\d+)\.j\d+\.ndjson$/.exec(name) ?? /\.(\d+)\.ndjson$/.exec(name);
        if (!m) continue;
        const pid = Number(m[1]);
        // the same pid as ours is an earlier incarnation (a container's pid 1), not a live neighbour
        if (pid !== process.pid && pidAlive(pid)) continue;
        await this.adopt(join(this.dir, name), name);
      }
    });
  }

  private async adopt(file: string, name: string): Promise<void> {
    const seg = this.newSegment();
    await rename(file, seg.path);
    let damaged = 0;
    const lines = createInterface({ input: createReadStream(seg.path), crlfDelay: Infinity });
    for await (const line of lines) {
      seg.bytes += Buffer.byteLength(line) + 1;
      const id = idOf(line);
      if (!id) {
        damaged++;
        continue;
      }
      if (this.entries.has(id)) continue;
      this.entries.set(id, { seq: seg.seq, queued: false });
      seg.unacked++;
      seg.unqueued++;
      this.unqueued++;
    }
    this.size += seg.bytes;
    if (seg.unacked === 0) await this.dropSegment(seg);
    this.log.warn({ from: name, events: seg.unacked, bytes: seg.bytes, damaged }, 'adopted the journal of a stopped gateway process; its events are queued again');
  }

  /**
   * Write events before they are queued. Returns the ids that were not kept (journal full, or the disk
   * refused the write): the caller still queues those, but nothing local covers them.
   */
  append(lines: JournalLine[]): Promise<string[]> {
    return this.run(async () => {
      let seg = this.segments.get(this.seq);
      if (!seg || seg.bytes >= SEGMENT_BYTES) seg = this.newSegment();
      const kept: JournalLine[] = [];
      const notKept: string[] = [];
      let text = '';
      let bytes = 0;
      for (const l of lines) {
        const n = Buffer.byteLength(l.line) + 1;
        if (this.size + bytes + n > this.maxBytes || this.entries.has(l.id)) {
          notKept.push(l.id);
          continue;
        }
        bytes += n;
        text += l.line + '\n';
        kept.push(l);
      }
      if (text) {
        try {
          await appendFile(seg.path, text, { mode: 0o600 });
        } catch (err) {
          this.log.error({ err: (err as Error).message, events: kept.length }, 'journal write failed; these events are queued without a local copy');
          return lines.map((l) => l.id);
        }
        seg.bytes += bytes;
        this.size += bytes;
        for (const l of kept) this.entries.set(l.id, { seq: seg.seq, queued: false });
        seg.unacked += kept.length;
        seg.unqueued += kept.length;
        this.unqueued += kept.length;
      }
      this.setFull(notKept.length > 0);
      return notKept;
    });
  }

  /** These events are in the queue now (they stay here until acknowledged as stored). */
  markQueued(ids: string[]): void {
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e || e.queued) continue;
      e.queued = true;
      this.segments.get(e.seq)!.unqueued--;
      this.unqueued--;
    }
  }

  /** Redis lost its data: every event not yet stored must be queued again. Returns how many. */
  requeueAll(): number {
    for (const e of this.entries.values()) {
      if (!e.queued) continue;
      e.queued = false;
      this.segments.get(e.seq)!.unqueued++;
      this.unqueued++;
    }
    return this.entries.size;
  }

  /** The processor stored these events: forget them, and delete each segment left with none. */
  ack(ids: string[]): Promise<number> {
    return this.run(async () => {
      let n = 0;
      for (const id of ids) {
        const e = this.entries.get(id);
        if (!e) continue;
        this.entries.delete(id);
        n++;
        const seg = this.segments.get(e.seq)!;
        seg.unacked--;
        if (!e.queued) {
          seg.unqueued--;
          this.unqueued--;
        }
        if (seg.unacked === 0) await this.dropSegment(seg);
      }
      if (this.full && this.size < this.maxBytes * 0.9) this.setFull(false);
      return n;
    });
  }

  /** The oldest events not in the queue, up to about `maxBytes` of them (at least one), in journal order. */
  readUnqueued(maxBytes: number): Promise<JournalLine[]> {
    return this.run(async () => {
      const out: JournalLine[] = [];
      let bytes = 0;
      for (const seg of [...this.segments.values()].sort((a, b) => a.seq - b.seq)) {
        if (seg.unqueued === 0) continue;
        const text = await readFile(seg.path, 'utf8').catch(() => '');
        // a line still being appended has no end yet: it is read on a later pass
        const end = text.lastIndexOf('\n');
        for (const line of text.slice(0, end + 1).split('\n')) {
          const id = line ? idOf(line) : null;
          if (!id) continue;
          const e = this.entries.get(id);
          if (!e || e.queued || e.seq !== seg.seq) continue;
          out.push({ id, line });
          bytes += line.length;
          if (bytes >= maxBytes) return out;
        }
      }
      return out;
    });
  }

  private newSegment(): Segment {
    this.seq++;
    const seg: Segment = { seq: this.seq, path: `${this.base}.j${this.seq}.ndjson`, bytes: 0, unacked: 0, unqueued: 0 };
    this.segments.set(seg.seq, seg);
    return seg;
  }

  private async dropSegment(seg: Segment): Promise<void> {
    this.segments.delete(seg.seq);
    this.size -= seg.bytes;
    await rm(seg.path, { force: true }).catch((err: Error) => this.log.warn({ err: err.message, path: seg.path }, 'could not delete a stored journal segment'));
  }

  private setFull(full: boolean): void {
    if (full === this.full) return;
    this.full = full;
    if (full) {
      this.log.error({ bytes: this.size, maxBytes: this.maxBytes, waiting: this.entries.size }, 'journal full (JOURNAL_MAX_BYTES): new events are queued without a local copy until the processor stores older ones; if Redis is also down they are dropped');
    } else {
      this.log.info({ bytes: this.size, maxBytes: this.maxBytes }, 'journal has room again');
    }
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** The event id of a journal line: read from its start (`{"v":1,"id":…`), else by parsing it. */
function idOf(line: string): string | null {
  const m = ID_AT_START.exec(line);
  if (m) return m[1]!;
  try {
    const v = (JSON.parse(line) as { id?: unknown }).id;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

/** Older segments first, so adopted events keep their order. */
function bySegment(a: string, b: string): number {
  const split = (s: string): [string, number] => {
    const m = /^(.*)\.j(\d+)\.ndjson$/.exec(s);
    return m ? [m[1]!, Number(m[2])] : [s, 0];
  };
  const [pa, na] = split(a);
  const [pb, nb] = split(b);
  return pa < pb ? -1 : pa > pb ? 1 : na - nb;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
