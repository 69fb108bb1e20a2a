import type { CapturedBody } from '@llm-relay/contracts';
import { CaptureBudget } from './capture-budget.ts';

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
