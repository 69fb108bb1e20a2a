import { createHash, type Hash } from 'node:crypto';
import type { CapturedBody } from '@llm-relay/contracts';

/**
 * The process-wide allowance for captured bytes held in memory (from the first captured byte until the
 * event has been handed to the queue or the journal). Without it, many slow readers of large answers each
 * keep everything that was forwarded: the kernel socket buffers absorb most of an answer, so the gateway
 * would hold (streams × answer) bytes. A capture that cannot get room is cut and flagged `truncated`.
 */
export class CaptureBudget {
  inFlight = 0;
  /** captures cut because the budget was used up */
  cut = 0;
  readonly limit: number;
  private readonly onChange: ((inFlight: number) => void) | undefined;
  private readonly onCut: (() => void) | undefined;
  constructor(limit: number, hooks: { onChange?: (inFlight: number) => void; onCut?: () => void } = {}) {
    this.limit = limit;
    this.onChange = hooks.onChange;
    this.onCut = hooks.onCut;
  }
  /** Reserve up to `n` bytes; returns how many were granted. */
  take(n: number): number {
    const got = Math.max(0, Math.min(n, this.limit - this.inFlight));
    if (got > 0) {
      this.inFlight += got;
      this.onChange?.(this.inFlight);
    }
    return got;
  }
  give(n: number): void {
    if (n <= 0) return;
    this.inFlight = Math.max(0, this.inFlight - n);
    this.onChange?.(this.inFlight);
  }
  countCut(): void {
    this.cut++;
    this.onCut?.();
  }
}

const UNLIMITED = new CaptureBudget(Number.MAX_SAFE_INTEGER);
/** small answers fit the first block; large ones grow in 64 KiB blocks, never reallocated or copied again */
const FIRST_BLOCK = 4096;
const BLOCK = 64 * 1024;

/**
 * Keeps the first `max` bytes of a body and counts the rest, so memory stays bounded. The bytes are
 * copied into blocks of its own: keeping the chunks themselves would keep one object per chunk (a
 * stream of 300-byte SSE frames makes thousands) and pin the socket read buffers they are views of.
 * Each block is reserved from the budget; `held` is what the capture still holds of it.
 */
export class BodyCapture {
  bytes = 0;
  held = 0;
  private blocks: Buffer[] = [];
  /** bytes used in the last block */
  private used = 0;
  private kept = 0;
  private cut = false;
  private readonly max: number;
  private readonly budget: CaptureBudget;
  constructor(max: number, budget: CaptureBudget = UNLIMITED) {
    this.max = max;
    this.budget = budget;
  }
  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.cut || this.kept >= this.max) return;
    const want = Math.min(chunk.length, this.max - this.kept);
    let at = 0;
    while (at < want) {
      let block: Buffer | null | undefined = this.blocks[this.blocks.length - 1];
      if (!block || this.used === block.length) {
        block = this.grow(want - at);
        if (!block) {
          // a prefix only: once cut, later bytes are not captured even if the budget frees up again
          this.cut = true;
          this.budget.countCut();
          return;
        }
      }
      const n = Math.min(want - at, block.length - this.used);
      chunk.copy(block, this.used, at, at + n);
      this.used += n;
      this.kept += n;
      at += n;
    }
  }
  private grow(need: number): Buffer | null {
    const size = Math.min(this.max - this.kept, this.blocks.length === 0 ? Math.max(need, FIRST_BLOCK) : Math.max(need, BLOCK), BLOCK * 16);
    const got = this.budget.take(size);
    if (got === 0) return null;
    this.held += got;
    const block = Buffer.allocUnsafeSlow(got);
    this.blocks.push(block);
    this.used = 0;
    return block;
  }
  get truncated(): boolean {
    return this.bytes > this.kept;
  }
  buffer(): Buffer {
    const last = this.blocks.length - 1;
    if (last < 0) return Buffer.alloc(0);
    if (last === 0) return this.blocks[0]!.subarray(0, this.used);
    return Buffer.concat(this.blocks, this.kept);
  }
  text(): string {
    return this.buffer().toString('utf8');
  }
  /** The captured body; the blocks are let go and the reservation shrinks to the text's size. */
  toCaptured(contentType: string | undefined): CapturedBody {
    const text = this.text();
    this.blocks = [];
    const spare = this.held - this.kept;
    if (spare > 0) {
      this.budget.give(spare);
      this.held = this.kept;
    }
    return { text, contentType, bytes: this.bytes, truncated: this.truncated };
  }
}

/**
 * A whole buffered body as captured: its first `max` bytes as text, as far as the budget allows. What
 * it reserved is added to `holder.held`, to be given back once the event has left the process.
 */
export function captureBuffer(buf: Buffer | undefined, max: number, contentType: string | undefined, budget: CaptureBudget = UNLIMITED, holder?: { held: number }): CapturedBody {
  if (!buf || buf.length === 0) return { contentType, bytes: 0, truncated: false };
  const want = Math.min(buf.length, max);
  const got = budget.take(want);
  if (got < want) budget.countCut();
  if (holder) holder.held += got;
  else budget.give(got);
  return { text: buf.toString('utf8', 0, got), contentType, bytes: buf.length, truncated: got < buf.length };
}

/** Text-like content types are captured as text; everything else is summarised. */
export function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return /^(text\/|application\/(json|x-ndjson|jsonl|x-www-form-urlencoded|xml)|[^;]*\+json)/i.test(contentType);
}

interface PartInfo {
  field: string;
  filename?: string;
  contentType?: string;
  bytes: number;
  value?: string;
}

const FIELD_VALUE_MAX = 1024;
const HEADER_MAX = 16 * 1024;

/**
 * Summarises a binary or multipart body as it streams by: size, SHA-256, and for multipart the file
 * names, their sizes and the small text fields (`purpose`, `model`). Never keeps the content.
 */
export class BinarySummary {
  bytes = 0;
  private readonly hash: Hash = createHash('sha256');
  private readonly delim: Buffer | null;
  private tail: Buffer;
  private state: 'preamble' | 'headers' | 'body' | 'done' = 'body';
  private part: PartInfo | null = null;
  private readonly parts: PartInfo[] = [];
  private readonly contentType: string | undefined;

  constructor(contentType: string | undefined) {
    this.contentType = contentType;
    const m = contentType ? /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType) : null;
    this.delim = m && /^multipart\//i.test(contentType ?? '') ? Buffer.from(`\r\n--${m[1] ?? m[2]}`) : null;
    // a leading CRLF makes the first boundary look like every other one
    this.tail = Buffer.from('\r\n');
    if (this.delim) this.state = 'preamble';
  }

  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.delim && this.state !== 'done') this.scan(chunk);
  }

  private scan(chunk: Buffer): void {
    const delim = this.delim!;
    let buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    for (;;) {
      if (this.state === 'headers') {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          this.tail = buf.length > HEADER_MAX ? Buffer.alloc(0) : buf;
          return;
        }
        this.part = parsePartHeaders(buf.subarray(0, end).toString('latin1'));
        this.state = 'body';
        buf = buf.subarray(end + 4);
        continue;
      }
      const idx = buf.indexOf(delim);
      if (idx < 0) {
        const keep = Math.min(buf.length, delim.length - 1);
        this.consume(buf.subarray(0, buf.length - keep));
        this.tail = Buffer.from(buf.subarray(buf.length - keep));
        return;
      }
      this.consume(buf.subarray(0, idx));
      if (this.part) this.parts.push(this.part);
      this.part = null;
      const after = buf.subarray(idx + delim.length);
      if (after.length < 2) {
        // cannot tell yet whether this is the closing boundary; keep the delimiter and look again
        this.tail = Buffer.from(buf.subarray(idx));
        if (this.state === 'body') this.state = 'preamble';
        return;
      }
      if (after[0] === 0x2d && after[1] === 0x2d) {
        this.state = 'done';
        return;
      }
      this.state = 'headers';
      buf = after.subarray(2);
    }
  }

  private consume(data: Buffer): void {
    const p = this.part;
    if (!p || this.state !== 'body') return;
    p.bytes += data.length;
    if (!p.filename && (p.value?.length ?? 0) < FIELD_VALUE_MAX) p.value = (p.value ?? '') + data.toString('utf8', 0, Math.min(data.length, FIELD_VALUE_MAX));
  }

  toCaptured(): CapturedBody {
    const files = this.parts.filter((p) => p.filename !== undefined).map((p) => ({ field: p.field, filename: p.filename!, contentType: p.contentType, bytes: p.bytes }));
    const fields: Record<string, string> = {};
    for (const p of this.parts) if (p.filename === undefined && p.value !== undefined) fields[p.field] = p.value.slice(0, FIELD_VALUE_MAX);
    return {
      contentType: this.contentType,
      bytes: this.bytes,
      truncated: false,
      summary: { sha256: this.hash.digest('hex'), ...(this.delim ? { files, fields } : {}) },
    };
  }
}

function parsePartHeaders(text: string): PartInfo {
  const name = /(?:^|[;\s])name="([^"]*)"/i.exec(text)?.[1] ?? '';
  const filename = /filename="([^"]*)"/i.exec(text)?.[1];
  const contentType = /content-type:\s*([^\r\n]+)/i.exec(text)?.[1]?.trim();
  return { field: name, filename, contentType, bytes: 0 };
}
