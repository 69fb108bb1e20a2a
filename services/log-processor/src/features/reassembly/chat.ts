import type { SseEvent } from '@llm-relay/contracts';
import { tryJson } from './sse.ts';

type Obj = Record<string, unknown>;

export interface StreamResult {
  /** the reassembled response body */
  body: Obj | null;
  /** the stream ended before its normal end (no [DONE]/finish, an error event, a cut capture) */
  incomplete: boolean;
  /** an error the stream itself carried (an `error` event or payload) */
  error: string | null;
}

interface ChoiceState {
  choice: Obj;
  message: Obj;
  toolCalls: Obj[];
  reasoning: Record<'reasoning_content' | 'reasoning', string | undefined>;
}

const REASONING_FIELDS = ['reasoning_content', 'reasoning'] as const;

/**
 * Rebuild one `chat.completion` from chat completion chunks, field for field as the official SDK's
 * `ChatCompletionStream.finalChatCompletion()` does, with four deliberate differences: reasoning text
 * (`reasoning_content` from DashScope/DeepSeek, `reasoning` from vLLM/OpenRouter) is concatenated where the
 * SDK keeps only the last fragment; a cut stream yields what arrived instead of throwing; a tool call
 * with no id keeps none instead of getting a random one; and usage in a chunk without an id is kept.
 */
export function reassembleChatStream(events: SseEvent[]): StreamResult {
  // declared wide so the narrowing to null does not survive the callback that assigns it
  let snapshot = null as Obj | null;
  const choices: ChoiceState[] = [];
  const { done, error } = walkChunks(events, (chunk) => {
    const { choices: chunkChoices, obfuscation: _o, ...rest } = chunk;
    if (!snapshot) snapshot = { ...rest };
    else if (chunk.id) Object.assign(snapshot, rest);
    // The SDK ignores top-level fields of chunks without an id; a server that sends empty ids would then
    // lose its final usage, which a log must keep.
    else if (isObj(chunk.usage)) snapshot.usage = chunk.usage;
    if (Array.isArray(chunkChoices)) for (const c of chunkChoices) if (isObj(c)) addChoiceDelta(choices, c);
  });
  if (!snapshot) return { body: null, incomplete: true, error };
  // Every choice reached its finish_reason; a stream cut after that lost at most the usage chunk.
  const finished = choices.length > 0 ? choices.every((s) => s && s.choice.finish_reason != null) : done;
  return { body: finalize(snapshot, choices), incomplete: error !== null || !finished, error };
}

/**
 * The `data: {json}` … `data: [DONE]` framing shared by chat and legacy completions: hands each JSON chunk
 * to `onChunk`, stops at [DONE] or at an error (an `error` event, or a chunk with an `error` object).
 */
export function walkChunks(events: SseEvent[], onChunk: (chunk: Obj) => void): { done: boolean; error: string | null } {
  for (const ev of events) {
    if (ev.data === '[DONE]') return { done: true, error: null };
    const chunk = tryJson(ev.data);
    if (!isObj(chunk)) continue;
    if (ev.event === 'error' || isObj(chunk.error)) return { done: false, error: errorMessage(chunk) };
    onChunk(chunk);
  }
  return { done: false, error: null };
}

function addChoiceDelta(choices: ChoiceState[], c: Obj): void {
  const { delta, finish_reason, index: rawIndex, logprobs = null, ...other } = c;
  const index = typeof rawIndex === 'number' ? rawIndex : 0;
  let state = choices[index];
  if (!state) {
    state = { choice: { finish_reason: finish_reason ?? null, index, logprobs: null, ...other }, message: {}, toolCalls: [], reasoning: { reasoning_content: undefined, reasoning: undefined } };
    choices[index] = state;
  }
  const choice = state.choice;
  if (isObj(logprobs)) mergeLogprobs(choice, logprobs);
  if (finish_reason) choice.finish_reason = finish_reason;
  Object.assign(choice, other);
  if (!isObj(delta)) return;
  const { content, refusal, role, tool_calls, function_call, audio, ...restDelta } = delta;
  for (const f of REASONING_FIELDS) {
    const v = restDelta[f];
    delete restDelta[f];
    if (typeof v === 'string') state.reasoning[f] = (state.reasoning[f] ?? '') + v;
  }
  Object.assign(state.message, restDelta);
  const m = state.message;
  if (typeof refusal === 'string' && refusal) m.refusal = ((m.refusal as string) || '') + refusal;
  if (role) m.role = role;
  if (isObj(audio)) mergeAudio(m, audio);
  if (isObj(function_call)) {
    const fc = (m.function_call ??= { name: '', arguments: '' }) as Obj;
    if (function_call.name) fc.name = function_call.name;
    if (typeof function_call.arguments === 'string') fc.arguments = ((fc.arguments as string) ?? '') + function_call.arguments;
  }
  if (typeof content === 'string') m.content = ((m.content as string) || '') + content;
  if (Array.isArray(tool_calls)) for (const tc of tool_calls) if (isObj(tc)) mergeToolCall(state.toolCalls, tc);
}

function mergeToolCall(calls: Obj[], delta: Obj): void {
  const { index: rawIndex, id, type, function: fn, custom, ...rest } = delta;
  // Some OpenAI-compatible servers omit `index`; a new id then means a new call.
  let index = typeof rawIndex === 'number' ? rawIndex : Math.max(0, calls.length - 1);
  if (typeof rawIndex !== 'number' && id && calls[index] && calls[index]!.id && calls[index]!.id !== id) index = calls.length;
  const call = (calls[index] ??= {});
  Object.assign(call, rest);
  // DashScope repeats id, type and name as "" in later fragments: only non-empty values overwrite.
  if (id) call.id = id;
  if (type) call.type = type;
  if (isObj(custom)) {
    const cs = (call.custom ??= { name: custom.name ?? '', input: '' }) as Obj;
    if (custom.name) cs.name = custom.name;
    if (typeof custom.input === 'string') cs.input = (cs.input as string) + custom.input;
  }
  if (isObj(fn)) {
    const f = (call.function ??= { name: fn.name ?? '', arguments: '' }) as Obj;
    if (fn.name) f.name = fn.name;
    if (typeof fn.arguments === 'string') f.arguments = ((f.arguments as string) ?? '') + fn.arguments;
  }
}

function mergeLogprobs(choice: Obj, lp: Obj): void {
  const { content, refusal, ...rest } = lp;
  if (!isObj(choice.logprobs)) {
    choice.logprobs = { ...lp, ...(Array.isArray(content) ? { content: [...content] } : {}), ...(Array.isArray(refusal) ? { refusal: [...refusal] } : {}) };
    return;
  }
  const target = choice.logprobs;
  Object.assign(target, rest);
  if (Array.isArray(content)) ((target.content ??= []) as unknown[]).push(...content);
  if (Array.isArray(refusal)) ((target.refusal ??= []) as unknown[]).push(...refusal);
}

function mergeAudio(m: Obj, audio: Obj): void {
  const a = (m.audio ??= {}) as Obj;
  if (audio.id != null) a.id = audio.id;
  if (audio.data != null) a.data = ((a.data as string) ?? '') + audio.data;
  if (audio.transcript != null) a.transcript = ((a.transcript as string) ?? '') + audio.transcript;
  if (audio.expires_at != null) a.expires_at = audio.expires_at;
}

function finalize(snapshot: Obj, states: ChoiceState[]): Obj {
  const { id, created, model, system_fingerprint, ...rest } = snapshot;
  const choices = [];
  for (const state of states) {
    if (!state) continue;
    const { finish_reason, index, logprobs, ...choiceRest } = state.choice;
    const { content = null, role, refusal, function_call, audio, ...messageRest } = state.message;
    const message: Obj = { ...messageRest };
    for (const f of REASONING_FIELDS) if (state.reasoning[f] !== undefined) message[f] = state.reasoning[f];
    if (audio) message.audio = audio;
    message.content = content;
    if (function_call) message.function_call = function_call;
    message.role = role ?? 'assistant';
    message.refusal = refusal ?? null;
    const toolCalls = state.toolCalls.filter(Boolean);
    if (toolCalls.length > 0) message.tool_calls = toolCalls.map(finalizeToolCall);
    choices.push({ ...choiceRest, index, finish_reason: finish_reason ?? null, logprobs: logprobs ?? null, message });
  }
  return { ...rest, id, choices, created, model, object: 'chat.completion', ...(system_fingerprint ? { system_fingerprint } : {}) };
}

function finalizeToolCall(call: Obj): Obj {
  const { function: fn, custom, type, id, ...rest } = call;
  const out: Obj = { ...rest, id: id ?? null, type: type ?? (custom ? 'custom' : 'function') };
  if (custom) out.custom = custom;
  else out.function = fn ?? { name: '', arguments: '' };
  return out;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function errorMessage(payload: Obj): string {
  const e = isObj(payload.error) ? payload.error : payload;
  return typeof e.message === 'string' ? e.message : JSON.stringify(e).slice(0, 500);
}
