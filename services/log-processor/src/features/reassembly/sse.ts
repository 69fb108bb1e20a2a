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
  // a text of n characters nests at most n/2 deep: most stream chunks need no walk at all
  return text.length > 2 * JSON_DEPTH_MAX ? cutDeep(v) : v;
}
