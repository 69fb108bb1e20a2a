import { JSON_DEPTH_MAX } from '@llm-relay/contracts';
import { cutDeep } from '../logs/depth.ts';

/** One server-sent event as the WHATWG parser sees it (data lines joined with "\n"). */
export interface SseEvent {
  event: string | null;
  data: string;
}

/**
 * Parse raw SSE text as captured by the gateway. A capture can be cut anywhere (client abort, capture
 * limit), so an event without its terminating blank line is still returned, flagged by `trailingPartial`.
 */
export function parseSse(text: string): { events: SseEvent[]; trailingPartial: boolean } {
  const events: SseEvent[] = [];
  let event: string | null = null;
  let data: string[] = [];
  let hasField = false;
  const lines = text.split(/\r\n|\r|\n/);
  // The last element is what followed the final newline: a line still being written.
  const endsWithNewline = /[\r\n]$/.test(text);
  const complete = endsWithNewline ? lines.slice(0, -1) : lines;
  const dispatch = () => {
    if (data.length > 0) events.push({ event, data: data.join('\n') });
    event = null;
    data = [];
    hasField = false;
  };
  for (const line of complete) {
    if (line === '') {
      dispatch();
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    hasField = true;
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  }
  const trailingPartial = hasField || (!endsWithNewline && text.length > 0);
  // A final event whose blank line never came: keep it if its JSON is whole, the caller decides.
  if (hasField) dispatch();
  return { events, trailingPartial };
}

/**
 * JSON.parse that returns undefined instead of throwing (captured streams may end mid-object), with the
 * value cut at JSON_DEPTH_MAX so no later step can overflow the stack on it (see logs/depth.ts).
 */
export function tryJson(text: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  // a text of n characters nests at most n/2 deep: most stream chunks need no walk at all
  return text.length > 2 * JSON_DEPTH_MAX ? cutDeep(v) : v;
}
