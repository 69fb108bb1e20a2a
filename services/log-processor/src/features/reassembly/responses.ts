import type { SseEvent } from '@llm-relay/contracts';
import { tryJson } from './sse.ts';
import { errorMessage, isObj, type StreamResult } from './chat.ts';

type Obj = Record<string, unknown>;
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Responses API stream → the final `response` object. The terminal event (completed / incomplete /
 * failed) carries the whole response; when the stream was cut before it, the response is rebuilt from
 * `response.created` and the output deltas and marked incomplete.
 */
export function reassembleResponsesStream(events: SseEvent[]): StreamResult {
  let response: Obj | null = null;
  let error: string | null = null;
  for (const ev of events) {
    const data = tryJson(ev.data);
    if (!isObj(data)) continue;
    const type = typeof data.type === 'string' ? data.type : ev.event;
    if (type && TERMINAL.has(type) && isObj(data.response)) {
      const final = data.response;
      return { body: final, incomplete: type !== 'response.completed', error: type === 'response.failed' ? failedMessage(final) : null };
    }
    if (type === 'error' || (ev.event === 'error' && isObj(data.error))) {
      error = typeof data.message === 'string' ? data.message : errorMessage(data);
      continue;
    }
    if ((type === 'response.created' || type === 'response.in_progress') && isObj(data.response)) {
      const kept: unknown[] = Array.isArray(response?.output) ? (response.output as unknown[]) : [];
      response = { ...data.response, output: kept.length > 0 ? kept : [...(Array.isArray(data.response.output) ? data.response.output : [])] };
      continue;
    }
    response ??= { object: 'response', status: 'in_progress', output: [] };
    applyDelta(response.output as Obj[], type ?? '', data);
  }
  if (!response) return { body: null, incomplete: true, error };
  return { body: { ...response, status: 'incomplete', incomplete_details: { reason: error ? 'error' : 'stream_interrupted' } }, incomplete: true, error };
}

function applyDelta(output: Obj[], type: string, d: Obj): void {
  const oi = typeof d.output_index === 'number' ? d.output_index : -1;
  if (type === 'response.output_item.added' || type === 'response.output_item.done') {
    if (oi >= 0 && isObj(d.item)) output[oi] = structuredClone(d.item);
    return;
  }
  const item = oi >= 0 ? output[oi] : undefined;
  if (!item) return;
  const ci = typeof d.content_index === 'number' ? d.content_index : 0;
  const delta = typeof d.delta === 'string' ? d.delta : '';
  switch (type) {
    case 'response.content_part.added':
    case 'response.content_part.done': {
      const content = (item.content ??= []) as Obj[];
      if (isObj(d.part)) content[ci] = structuredClone(d.part);
      return;
    }
    case 'response.output_text.delta':
      appendToPart(item, ci, 'output_text', 'text', delta);
      return;
    case 'response.refusal.delta':
      appendToPart(item, ci, 'refusal', 'refusal', delta);
      return;
    case 'response.function_call_arguments.delta':
      item.arguments = String(item.arguments ?? '') + delta;
      return;
    case 'response.custom_tool_call_input.delta':
      item.input = String(item.input ?? '') + delta;
      return;
    case 'response.reasoning_summary_text.delta': {
      const si = typeof d.summary_index === 'number' ? d.summary_index : 0;
      const summary = (item.summary ??= []) as Obj[];
      const part = (summary[si] ??= { type: 'summary_text', text: '' });
      part.text = String(part.text ?? '') + delta;
      return;
    }
    case 'response.reasoning_text.delta':
      appendToPart(item, ci, 'reasoning_text', 'text', delta);
      return;
  }
}

function appendToPart(item: Obj, ci: number, partType: string, field: string, delta: string): void {
  const content = (item.content ??= []) as Obj[];
  const part = (content[ci] ??= { type: partType, [field]: '' });
  part[field] = String(part[field] ?? '') + delta;
}

function failedMessage(r: Obj): string {
  return isObj(r.error) && typeof r.error.message === 'string' ? r.error.message : 'response failed';
}
