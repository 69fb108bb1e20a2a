/**
 * Server-sent events as the WHATWG spec reads them (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * a line ends with CRLF, a lone LF or a lone CR, and an empty line ends an event. The gateway's framer (which
 * forwards whole events) and the processor's parser (which reassembles the stored answer) both use this one
 * rule, so a provider that ends its lines with bare `\r` is framed and stored like any other.
 */

const LF = 10;
const CR = 13;

interface Source {
  length: number;
  at(i: number): number | undefined;
  /** index of the next CR or LF at or after `from`, or -1 */
  nextBreak(from: number): number;
}

function textSource(text: string): Source {
  const BREAK = /[\r\n]/g;
  return {
    length: text.length,
    at: (i) => text.charCodeAt(i),
    nextBreak(from) {
      BREAK.lastIndex = from;
      return BREAK.exec(text)?.index ?? -1;
    },
  };
}

function byteSource(bytes: Uint8Array): Source {
  // native searches, each repeated only once the scan has passed its last hit
  let lf = -2;
  let cr = -2;
  return {
    length: bytes.length,
    at: (i) => bytes[i],
    nextBreak(from) {
      if (lf !== -1 && lf < from) lf = bytes.indexOf(LF, from);
      if (cr !== -1 && cr < from) cr = bytes.indexOf(CR, from);
      return lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
    },
  };
}

/**
 * Calls `onLine(start, end, next)` for each complete line: the line is [start, end), the next one starts at
 * `next`. Returns where the unfinished last line starts. A CR at the very end counts as a whole line ending
 * (a CRLF split across chunks then leaves a lone LF behind, which ends an empty line: one more event
 * boundary, never a merged event).
 */
function scanLines(src: Source, onLine: (start: number, end: number, next: number) => void): number {
  let start = 0;
  for (let i = src.nextBreak(0); i !== -1; i = src.nextBreak(start)) {
    const next = src.at(i) === CR && src.at(i + 1) === LF ? i + 2 : i + 1;
    onLine(start, i, next);
    start = next;
  }
  return start;
}

/** Where the last complete event of `bytes` ends (just past its blank line), or -1 when none has ended yet. */
export function sseEventsEnd(bytes: Uint8Array): number {
  let end = -1;
  scanLines(byteSource(bytes), (start, lineEnd, next) => {
    if (lineEnd === start) end = next;
  });
  return end;
}

/** `text` cut into its events, each with its own lines and blank line; a last unfinished event is the last element. */
export function splitSseEvents(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  scanLines(textSource(text), (start, lineEnd, next) => {
    if (lineEnd === start) {
      out.push(text.slice(from, next));
      from = next;
    }
  });
  if (from < text.length) out.push(text.slice(from));
  return out;
}

/** One server-sent event as the WHATWG parser sees it (data lines joined with "\n"). */
export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * Parse raw SSE text as the gateway captured it. A capture can be cut anywhere (client abort, capture
 * limit), so an event without its terminating blank line is still returned, flagged by `trailingPartial`.
 */
export function parseSse(text: string): { events: SseEvent[]; trailingPartial: boolean } {
  const events: SseEvent[] = [];
  let event: string | null = null;
  let data: string[] = [];
  let hasField = false;
  const dispatch = () => {
    if (data.length > 0) events.push({ event, data: data.join('\n') });
    event = null;
    data = [];
    hasField = false;
  };
  const line = (start: number, end: number) => {
    if (end === start) return dispatch();
    if (text.charCodeAt(start) === 58 /* ':' comment */) return;
    const l = text.slice(start, end);
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    hasField = true;
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  };
  const rest = scanLines(textSource(text), line);
  // what follows the last line ending is a line still being written: read it, and the event is partial
  if (rest < text.length) line(rest, text.length);
  const trailingPartial = hasField || rest < text.length;
  // a final event whose blank line never came: keep it, the caller decides
  if (hasField) dispatch();
  return { events, trailingPartial };
}
