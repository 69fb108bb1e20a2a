const USAGE_ONLY = /"choices"\s*:\s*\[\s*\]/;

/**
 * Forwards SSE bytes at event boundaries: each upstream chunk goes out at once, minus a trailing
 * partial event that waits for its end. Holding partial events back is what lets the relay end a
 * broken stream with a clean error event and insert keep-alive comments without corrupting an event.
 * With `strip` on it also drops the usage-only chunk the relay asked for itself.
 */
export class SseFramer {
  sawDone = false;
  stripped = false;
  private pending: Buffer | null = null;
  private readonly strip: boolean;
  constructor(strip: boolean) {
    this.strip = strip;
  }

  /** The complete events in `chunk` (plus what was pending), or null when none completed yet. */
  push(chunk: Buffer): Buffer | null {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const cut = lastBoundary(data);
    if (cut < 0) {
      this.pending = data;
      return null;
    }
    this.pending = cut < data.length ? data.subarray(cut) : null;
    return this.filter(cut === data.length ? data : data.subarray(0, cut));
  }

  /** What is left when the upstream ended cleanly (a last event without its blank line). */
  end(): Buffer | null {
    const rest = this.pending;
    this.pending = null;
    return rest && rest.length ? this.filter(rest) : null;
  }

  get hasPartial(): boolean {
    return this.pending !== null;
  }

  private filter(out: Buffer): Buffer | null {
    if (!this.sawDone && out.includes('data: [DONE]')) this.sawDone = true;
    if (!this.strip || this.stripped) return out;
    const text = out.toString('utf8');
    if (!USAGE_ONLY.test(text)) return out;
    const events = text.split(/(?<=\r?\n\r?\n)/);
    const kept = events.filter((ev) => !isUsageOnlyChunk(ev));
    if (kept.length === events.length) return out;
    this.stripped = true;
    return kept.length ? Buffer.from(kept.join('')) : null;
  }
}

function lastBoundary(b: Buffer): number {
  const lf = b.lastIndexOf('\n\n');
  const crlf = b.lastIndexOf('\r\n\r\n');
  return Math.max(lf < 0 ? -1 : lf + 2, crlf < 0 ? -1 : crlf + 4);
}

function isUsageOnlyChunk(ev: string): boolean {
  if (!USAGE_ONLY.test(ev)) return false;
  const m = /^data:\s?(.*)$/m.exec(ev);
  if (!m) return false;
  try {
    const obj = JSON.parse(m[1]!) as { choices?: unknown[]; usage?: unknown };
    return Array.isArray(obj.choices) && obj.choices.length === 0 && obj.usage != null;
  } catch {
    return false;
  }
}
