import type { SseEvent } from '@llm-relay/contracts';
import { tryJson } from './sse.ts';
import { errorMessage, isObj, type StreamResult } from './chat.ts';

type Obj = Record<string, unknown>;

/**
 * Anthropic Messages stream (message_start … message_stop) → one `message`. Usage starts from
 * message_start and is overwritten field by field by message_delta, whose counts are cumulative.
 */
export function reassembleAnthropicStream(events: SseEvent[]): StreamResult {
  let message: Obj | null = null;
  const jsonBuffers = new Map<number, string>();
  let stopped = false;
  let error: string | null = null;
  for (const ev of events) {
    const d = tryJson(ev.data);
    if (!isObj(d)) continue;
    const type = typeof d.type === 'string' ? d.type : ev.event;
    if (type === 'message_start' && isObj(d.message)) {
      message = structuredClone(d.message);
      message.content = Array.isArray(message.content) ? message.content : [];
      continue;
    }
    if (type === 'error') {
      error = errorMessage(d);
      break;
    }
    if (!message) continue;
    const content = message.content as Obj[];
    const index = typeof d.index === 'number' ? d.index : -1;
    if (type === 'content_block_start' && index >= 0 && isObj(d.content_block)) {
      content[index] = structuredClone(d.content_block);
    } else if (type === 'content_block_delta' && index >= 0 && isObj(d.delta)) {
      const block = (content[index] ??= { type: 'text', text: '' });
      applyBlockDelta(block, d.delta, index, jsonBuffers);
    } else if (type === 'content_block_stop' && index >= 0) {
      finishJson(content[index], jsonBuffers.get(index));
      jsonBuffers.delete(index);
    } else if (type === 'message_delta') {
      if (isObj(d.delta)) Object.assign(message, d.delta);
      if (isObj(d.usage)) message.usage = { ...(isObj(message.usage) ? message.usage : {}), ...d.usage };
    } else if (type === 'message_stop') {
      stopped = true;
    }
  }
  if (!message) return { body: null, incomplete: true, error };
  // Blocks whose content_block_stop never came still show the JSON that arrived.
  for (const [i, buf] of jsonBuffers) finishJson((message.content as Obj[])[i], buf);
  message.content = (message.content as Obj[]).filter(Boolean);
  return { body: message, incomplete: !stopped || error !== null, error };
}

function applyBlockDelta(block: Obj, delta: Obj, index: number, jsonBuffers: Map<number, string>): void {
  switch (delta.type) {
    case 'text_delta':
      block.text = String(block.text ?? '') + String(delta.text ?? '');
      break;
    case 'thinking_delta':
      block.thinking = String(block.thinking ?? '') + String(delta.thinking ?? '');
      break;
    case 'signature_delta':
      block.signature = String(delta.signature ?? '');
      break;
    case 'input_json_delta':
      jsonBuffers.set(index, (jsonBuffers.get(index) ?? '') + String(delta.partial_json ?? ''));
      break;
    case 'citations_delta':
      ((block.citations ??= []) as unknown[]).push(delta.citation);
      break;
  }
}

function finishJson(block: Obj | undefined, buf: string | undefined): void {
  if (!block || buf === undefined) return;
  if (buf === '') return;
  try {
    block.input = JSON.parse(buf);
  } catch {
    // cut mid-argument: keep the raw text so nothing that arrived is lost
    block.input = { _partial_json: buf };
  }
}
