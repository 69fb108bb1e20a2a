import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
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
  /**
   * the segment being appended to keeps its file open: opening and closing it for every batch was ~4 % of
   * the gateway's busy CPU under saturation (bench/FINDINGS.md)
   */
  fh: FileHandle | null;
  /** a write failed part-way: nothing more is appended here (the next batch starts a new segment) */
  broken: boolean;
  /** its events in file order, with where each line is, so a replay reads only the lines it needs */
  lines: Entry[];
  /** lines before this index are queued or stored: a replay starts here (requeueAll resets it) */
  scan: number;
}

interface Entry {
  id: string;
  seq: number;
  /** byte offset of the line in its segment file, and its length in bytes without the newline */
  offset: number;
  length: number;
  queued: boolean;
  stored: boolean;
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
  private readonly segmentBytes: number;
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

  constructor(dir: string, gatewayId: string, maxBytes: number, log: Logger, segmentBytes = SEGMENT_BYTES) {
    this.dir = dir;
    this.base = join(dir, `${gatewayId.replace(/[^A-Za-z0-9._-]/g, '_')}.${process.pid}`);
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
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
      const offset = seg.bytes;
      const length = Buffer.byteLength(line);
      seg.bytes += length + 1;
      const id = idOf(line);
      if (!id) {
        damaged++;
        continue;
      }
      if (this.entries.has(id)) continue;
      this.add(seg, id, offset, length);
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
      if (!seg || seg.bytes >= this.segmentBytes || seg.broken) {
        if (seg) await closeHandle(seg);
        seg = this.newSegment();
      }
      const kept: { id: string; line: string; length: number }[] = [];
      const notKept: string[] = [];
      let bytes = 0;
      for (const l of lines) {
        const length = Buffer.byteLength(l.line);
        if (this.size + bytes + length + 1 > this.maxBytes || this.entries.has(l.id)) {
          notKept.push(l.id);
          continue;
        }
        bytes += length + 1;
        kept.push({ id: l.id, line: l.line, length });
      }
      if (bytes > 0) {
        // the lines written straight into the bytes the file gets: one copy of the batch, not a joined string and then its bytes
        const text = Buffer.allocUnsafe(bytes);
        let at = 0;
        for (const k of kept) {
          at += text.write(k.line, at, k.length, 'utf8');
          text[at++] = 0x0a;
        }
        try {
          seg.fh ??= await open(seg.path, 'a', 0o600);
          await seg.fh.appendFile(text);
        } catch (err) {
          this.log.error({ err: (err as Error).message, events: kept.length }, 'journal write failed; these events are queued without a local copy');
          // what part of the text reached the file is unknown: later events go to a new segment
          seg.broken = true;
          await closeHandle(seg);
          return lines.map((l) => l.id);
        }
        let offset = seg.bytes;
        for (const k of kept) {
          this.add(seg, k.id, offset, k.length);
          offset += k.length + 1;
        }
        seg.bytes += bytes;
        this.size += bytes;
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
    for (const seg of this.segments.values()) seg.scan = 0;
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
        e.stored = true;
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

  /**
   * The oldest events not in the queue, up to about `maxBytes` of them (at least one), in journal order.
   * Only their lines are read (from the offsets kept at append), not the whole segment: during a long
   * Redis outage the replay that runs every second costs what is waiting, not what the segment holds.
   */
  readUnqueued(maxBytes: number): Promise<JournalLine[]> {
    return this.run(async () => {
      const out: JournalLine[] = [];
      let bytes = 0;
      for (const seg of [...this.segments.values()].sort((a, b) => a.seq - b.seq)) {
        if (seg.unqueued === 0) continue;
        while (seg.scan < seg.lines.length && !waiting(seg.lines[seg.scan]!)) seg.scan++;
        // one read from the first waiting line to the last one taken (queued lines in between are skipped)
        const picked: Entry[] = [];
        const start = seg.lines[seg.scan]?.offset ?? 0;
        let end = start;
        for (let i = seg.scan; i < seg.lines.length && bytes + (end - start) < maxBytes; i++) {
          const e = seg.lines[i]!;
          if (!waiting(e)) continue;
          picked.push(e);
          end = e.offset + e.length;
        }
        if (picked.length === 0) continue;
        const buf = await readRange(seg.path, start, end - start);
        for (const e of picked) out.push({ id: e.id, line: buf.toString('utf8', e.offset - start, e.offset - start + e.length) });
        bytes += end - start;
        if (bytes >= maxBytes) return out;
      }
      return out;
    });
  }

  /** Close the segment file kept open for appends (shutdown); a later append opens it again. */
  close(): Promise<void> {
    return this.run(async () => {
      for (const seg of this.segments.values()) await closeHandle(seg);
    });
  }

  private add(seg: Segment, id: string, offset: number, length: number): void {
    const e: Entry = { id, seq: seg.seq, offset, length, queued: false, stored: false };
    this.entries.set(id, e);
    seg.lines.push(e);
    seg.unacked++;
    seg.unqueued++;
    this.unqueued++;
  }

  private newSegment(): Segment {
    this.seq++;
    const seg: Segment = { seq: this.seq, path: `${this.base}.j${this.seq}.ndjson`, bytes: 0, unacked: 0, unqueued: 0, fh: null, broken: false, lines: [], scan: 0 };
    this.segments.set(seg.seq, seg);
    return seg;
  }

  private async dropSegment(seg: Segment): Promise<void> {
    this.segments.delete(seg.seq);
    await closeHandle(seg);
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

/** Not queued and not stored: a replay must queue it. */
function waiting(e: Entry): boolean {
  return !e.queued && !e.stored;
}

async function closeHandle(seg: Segment): Promise<void> {
  const fh = seg.fh;
  seg.fh = null;
  await fh?.close().catch(() => undefined);
}

async function readRange(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
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
