import { answerChars, answerFor, lastUserText, promptTokens, shortHash, splitPieces, tokens } from '../text.ts';
import { sendJson } from '../respond.ts';
import { eventFrame, streamSse, type Frame } from '../sse.ts';
import { remember } from '../remember.ts';
import type { Ctx, StoredObject } from '../types.ts';

function envelope(id: string, j: Record<string, unknown>, createdAt: number) {
  return {
    id, object: 'response', created_at: createdAt, status: 'in_progress', background: false, error: null, incomplete_details: null,
    instructions: j.instructions ?? null, max_output_tokens: j.max_output_tokens ?? null, model: typeof j.model === 'string' ? j.model : 'mock-model',
    output: [] as unknown[], parallel_tool_calls: true, previous_response_id: j.previous_response_id ?? null,
    reasoning: { effort: null, summary: null }, service_tier: 'default', store: j.store !== false, temperature: j.temperature ?? 1,
    text: { format: { type: 'text' } }, tool_choice: j.tool_choice ?? 'auto', tools: j.tools ?? [], top_p: j.top_p ?? 1,
    truncation: 'disabled', usage: null as unknown, user: null, metadata: j.metadata ?? {},
  };
}

function usageFor(j: Record<string, unknown>, out: number) {
  const input = promptTokens(j);
  return { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: out, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + out };
}

function toolNames(j: Record<string, unknown>): string[] {
  const tools = Array.isArray(j.tools) ? (j.tools as { name?: string; type?: string }[]) : [];
  return tools.map((t) => t.name ?? t.type ?? 'get_weather');
}

/** POST /v1/responses: a message output, or function_call outputs when x-mock-tool-calls asks. */
export function createResponse(ctx: Ctx): void {
  const j = (ctx.json ?? {}) as Record<string, unknown>;
  const id = `resp_${shortHash(ctx.body, 32)}`;
  const r = envelope(id, j, Math.floor(Date.now() / 1000));
  const msgId = `msg_${shortHash(`${id}:msg`, 32)}`;
  const text = answerFor(lastUserText(j.input), answerChars(ctx.defaults.minAnswerChars, ctx.b.chunks, j.stream === true));
  const names = toolNames(j);
  const calls = Array.from({ length: ctx.b.toolCalls }, (_, i) => ({
    id: `fc_${shortHash(`${id}:${i}`, 32)}`, type: 'function_call', status: 'completed', arguments: JSON.stringify({ location: `City ${i}`, call: i }),
    call_id: `call_${shortHash(`${id}:call:${i}`, 20)}`, name: names.length ? names[i % names.length]! : 'get_weather',
  }));
  const message = { id: msgId, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text }] };
  const output: unknown[] = calls.length ? calls : [message];
  const outTokens = calls.length ? calls.reduce((a, c) => a + tokens(c.arguments), 0) : tokens(text);
  const done: StoredObject = { ...r, status: 'completed', output, usage: ctx.b.noUsage ? null : usageFor(j, outTokens) };
  remember(ctx.state.responses, id, { ...done, input_items: j.input });
  if (j.stream !== true) return sendJson(ctx, 200, done);

  let seq = 0;
  const frames: Frame[] = [];
  const ev = (type: string, data: Record<string, unknown>, paced = false) => frames.push(eventFrame(type, { type, sequence_number: seq++, ...data }, paced));
  ev('response.created', { response: r });
  ev('response.in_progress', { response: r });
  if (calls.length) {
    calls.forEach((c, output_index) => {
      ev('response.output_item.added', { output_index, item: { ...c, status: 'in_progress', arguments: '' } });
      for (const delta of splitPieces(c.arguments, 3)) ev('response.function_call_arguments.delta', { item_id: c.id, output_index, delta }, true);
      ev('response.function_call_arguments.done', { item_id: c.id, output_index, name: c.name, arguments: c.arguments });
      ev('response.output_item.done', { output_index, item: c });
    });
  } else {
    const base = { item_id: msgId, output_index: 0, content_index: 0 };
    ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } });
    ev('response.content_part.added', { ...base, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    const pieces = splitPieces(text, ctx.b.chunks);
    for (const delta of pieces) ev('response.output_text.delta', { ...base, delta, logprobs: [] }, true);
    const full = pieces.join('');
    ev('response.output_text.done', { ...base, text: full, logprobs: [] });
    ev('response.content_part.done', { ...base, part: { type: 'output_text', annotations: [], logprobs: [], text: full } });
    const item = { ...message, content: [{ type: 'output_text', annotations: [], logprobs: [], text: full }] };
    ev('response.output_item.done', { output_index: 0, item });
    done.output = [item];
    done.usage = ctx.b.noUsage ? null : usageFor(j, tokens(full));
  }
  ev('response.completed', { response: done });
  streamSse(ctx, frames);
}

function stored(ctx: Ctx): StoredObject {
  const id = ctx.params[0]!;
  const hit = ctx.state.responses.get(id);
  if (hit) return hit;
  // an id this mock never issued still gets a plausible answer, so pass-through tests need no set-up call
  const r = envelope(id, {}, 1_700_000_000);
  const text = `Stored response ${id}`;
  return { ...r, status: 'completed', output: [{ id: `msg_${shortHash(id, 32)}`, type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', annotations: [], logprobs: [], text }] }], usage: usageFor({}, tokens(text)), input_items: 'Hello' };
}

export function getResponse(ctx: Ctx): void {
  const { input_items: _ignored, ...r } = stored(ctx);
  sendJson(ctx, 200, r);
}

export function deleteResponse(ctx: Ctx): void {
  const id = ctx.params[0]!;
  ctx.state.responses.delete(id);
  sendJson(ctx, 200, { id, object: 'response', deleted: true });
}

export function cancelResponse(ctx: Ctx): void {
  const { input_items: _ignored, ...r } = stored(ctx);
  sendJson(ctx, 200, { ...r, status: 'cancelled', background: true });
}

export function inputItems(ctx: Ctx): void {
  const r = stored(ctx);
  const input = r.input_items;
  const items = (typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input : []).map((m: { role?: string; content?: unknown }, i: number) => ({
    id: `msg_${shortHash(`${r.id}:in:${i}`, 32)}`, type: 'message', status: 'completed', role: m.role ?? 'user',
    content: typeof m.content === 'string' ? [{ type: 'input_text', text: m.content }] : m.content,
  }));
  sendJson(ctx, 200, { object: 'list', data: items, first_id: items[0]?.id ?? null, last_id: items.at(-1)?.id ?? null, has_more: false });
}
