import { sseEventsEnd, splitSseEvents } from '@llm-relay/contracts';

const MAX_PENDING = 1024 * 1024;
const USAGE_ONLY = /"choices"\s*:\s*\[\s*\]/;
/** with include_usage the provider adds `"usage":null` to every chunk; a JSON string cannot hold it unescaped */
const USAGE_NULL = /,\s*"usage"\s*:\s*null(?=\s*[,}])/g;

/**
 * Forwards SSE bytes at event boundaries (any of the spec's line endings, contracts/sse.ts): each upstream chunk goes out at once, minus a trailing
 * partial event that waits for its end. Holding partial events back is what lets the relay end a
 * broken stream with a clean error event and insert keep-alive comments without corrupting an event.
 * With `strip` on it also drops the usage-only chunk the relay asked for itself, and the `"usage":null`
 * that asking adds to every other chunk, so the client gets exactly the stream it asked for.
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
    const cut = sseEventsEnd(data);
    if (cut < 0 && data.length > MAX_PENDING) {
      // not SSE as we know it (no event boundary for a megabyte): pass it on rather than hold it
      this.pending = null;
      return data;
    }
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
    if (!this.strip) return out;
    let text = out.toString('utf8');
    let changed = false;
    if (text.includes('"usage"')) {
      const cleaned = text.replace(USAGE_NULL, '');
      changed = cleaned.length !== text.length;
      text = cleaned;
    }
    if (!this.stripped && USAGE_ONLY.test(text)) {
      const events = splitSseEvents(text);
      const kept = events.filter((ev) => !isUsageOnlyChunk(ev));
      if (kept.length !== events.length) {
        this.stripped = true;
        changed = true;
        text = kept.join('');
      }
    }
    if (!changed) return out;
    return text ? Buffer.from(text) : null;
  }
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
