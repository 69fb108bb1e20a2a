import type { RecordedRequest } from './types.ts';

/** A bounded ring of recorded requests: a long benchmark through the mock must not grow its memory. */
export class Recorder {
  #items: (RecordedRequest | undefined)[];
  #next = 0;
  #count = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
    this.#items = new Array<RecordedRequest | undefined>(this.limit);
  }

  add(r: RecordedRequest): void {
    this.#items[this.#next] = r;
    this.#next = (this.#next + 1) % this.limit;
    if (this.#count < this.limit) this.#count++;
  }

  /** oldest first */
  list(): RecordedRequest[] {
    const out: RecordedRequest[] = [];
    const start = (this.#next - this.#count + this.limit) % this.limit;
    for (let k = 0; k < this.#count; k++) out.push(this.#items[(start + k) % this.limit]!);
    return out;
  }

  clear(): void {
    this.#items = new Array<RecordedRequest | undefined>(this.limit);
    this.#next = 0;
    this.#count = 0;
  }
}
