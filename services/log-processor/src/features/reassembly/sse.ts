import { JSON_DEPTH_MAX } from '@llm-relay/contracts';
import { cutDeep } from '../logs/depth.ts';

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
  // a text nests at most as deep as it has `{` and `[` (and at most n/2 for n characters): a stream chunk is
  // longer than 256 characters but has a handful of brackets, and counting them costs a sixth of the walk
  // that cutDeep would make over the parsed chunk (that walk was 4.4 % of the processor's busy CPU)
  return text.length > 2 * JSON_DEPTH_MAX && brackets(text, JSON_DEPTH_MAX) > JSON_DEPTH_MAX ? cutDeep(v) : v;
}

/** How many `{` and `[` the text holds (brackets inside strings too: an over-count only costs the walk), up to past `max`. */
function brackets(text: string, max: number): number {
  let n = 0;
  for (const ch of ['{', '[']) for (let i = text.indexOf(ch); i !== -1 && n <= max; i = text.indexOf(ch, i + 1)) n++;
  return n;
}
