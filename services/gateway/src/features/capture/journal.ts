import { createReadStream, createWriteStream } from 'node:fs';
import { open, mkdir, readdir, rename, rm, stat, truncate, appendFile, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import type { Logger } from '@llm-relay/server-kit';

const READ_CHUNK = 1024 * 1024;

/**
 * A bounded append-only file of events (one JSON per line) written while Redis is unreachable and
 * replayed in order once it is back. Every operation runs on one promise chain, so appends, replay reads
 * and the final truncate never interleave. The read offset is kept in memory only: after a crash the
 * whole file is replayed again, which is harmless because job ids (= event ids) and the store dedupe.
 */
export class Journal {
  readonly path: string;
  size = 0;
  private offset = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly maxBytes: number;
  private readonly log: Logger;

  constructor(dir: string, gatewayId: string, maxBytes: number, log: Logger) {
    this.path = join(dir, `${gatewayId.replace(/[^A-Za-z0-9._-]/g, '_')}.${process.pid}.ndjson`);
    this.maxBytes = maxBytes;
    this.log = log;
  }

  /** Create the directory and adopt journals left by gateway processes that are no longer alive. */
  async open(): Promise<void> {
    const dir = join(this.path, '..');
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      const m = /\.(\d+)\.ndjson$/.exec(name);
      const file = join(dir, name);
      if (!m || file === this.path || pidAlive(Number(m[1]))) continue;
      const adopted = `${this.path}.adopted-${Date.now()}`;
      await rename(file, adopted).catch(() => undefined);
      // streamed, so a full journal (hundreds of MiB) is not read into memory
      await pipeline(createReadStream(adopted), createWriteStream(this.path, { flags: 'a' }));
      const bytes = await stat(adopted).then((s) => s.size, () => 0);
      await rm(adopted, { force: true });
      this.log.warn({ from: name, bytes }, 'adopted a journal left by a stopped gateway');
    }
    this.size = await stat(this.path).then((s) => s.size, () => 0);
  }

  get pending(): boolean {
    return this.size > 0;
  }

  /** Append events; returns how many were dropped because the journal is full. */
  append(lines: string[]): Promise<number> {
    return this.run(async () => {
      let text = '';
      let dropped = 0;
      let size = this.size;
      for (const l of lines) {
        const bytes = Buffer.byteLength(l) + 1;
        if (size + bytes > this.maxBytes) {
          dropped++;
          continue;
        }
        size += bytes;
        text += l + '\n';
      }
      if (text) await appendFile(this.path, text);
      this.size = size;
      return dropped;
    });
  }

  /**
   * Replay one block of lines through `send` (which throws when Redis fails). Returns true when the
   * journal is empty afterwards.
   */
  replayStep(send: (lines: string[]) => Promise<void>): Promise<boolean> {
    return this.run(async () => {
      if (this.offset >= this.size) return this.reset();
      // one event can be larger than a block (two 4 MiB bodies): grow the block until a line ends in it
      let block = READ_CHUNK;
      let buf: Buffer;
      let lastNl: number;
      for (;;) {
        buf = await this.read(this.offset, Math.min(block, this.size - this.offset));
        lastNl = buf.lastIndexOf(0x0a);
        if (lastNl >= 0 || this.offset + buf.length >= this.size) break;
        block *= 2;
      }
      if (lastNl < 0) {
        // only a crash mid-append leaves a line without its end; it cannot be replayed
        this.log.error({ offset: this.offset }, 'journal ends in a partial line; skipping it');
        return this.reset();
      }
      const lines = buf.subarray(0, lastNl).toString('utf8').split('\n').filter(Boolean);
      await send(lines);
      this.offset += lastNl + 1;
      if (this.offset >= this.size) return this.reset();
      return false;
    });
  }

  private async read(at: number, len: number): Promise<Buffer> {
    const fh: FileHandle = await open(this.path, 'r');
    try {
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, at);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  private async reset(): Promise<boolean> {
    await truncate(this.path, 0).catch(() => undefined);
    this.size = 0;
    this.offset = 0;
    return true;
  }

  private run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
