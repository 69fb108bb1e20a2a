import type { SseEvent } from '@llm-relay/contracts';
import { isObj, walkChunks, type StreamResult } from './chat.ts';

type Obj = Record<string, unknown>;
const LOGPROB_ARRAYS = ['tokens', 'token_logprobs', 'top_logprobs', 'text_offset'] as const;

/** Legacy completions stream → one `text_completion`: text and logprobs concatenated per choice. */
export function reassembleCompletionsStream(events: SseEvent[]): StreamResult {
  // declared wide so the narrowing to null does not survive the callback that assigns it
  let snapshot = null as Obj | null;
  const choices: Obj[] = [];
  const { done, error } = walkChunks(events, (chunk) => {
    const { choices: cs, ...rest } = chunk;
    snapshot = snapshot ? Object.assign(snapshot, rest) : { ...rest };
    if (!Array.isArray(cs)) return;
    for (const c of cs) {
      if (!isObj(c)) continue;
      const index = typeof c.index === 'number' ? c.index : 0;
      const choice = (choices[index] ??= { text: '', index, logprobs: null, finish_reason: null });
      if (typeof c.text === 'string') choice.text = String(choice.text) + c.text;
      if (c.finish_reason) choice.finish_reason = c.finish_reason;
      if (isObj(c.logprobs)) {
        const target = (choice.logprobs ??= {}) as Obj;
        for (const k of LOGPROB_ARRAYS) if (Array.isArray(c.logprobs[k])) ((target[k] ??= []) as unknown[]).push(...(c.logprobs[k] as unknown[]));
      }
    }
  });
  if (!snapshot) return { body: null, incomplete: true, error };
  const finished = choices.length > 0 && choices.every((c) => c && c.finish_reason != null);
  return { body: { ...snapshot, object: 'text_completion', choices: choices.filter(Boolean) }, incomplete: error !== null || !(finished || (done && choices.length > 0)), error };
}
