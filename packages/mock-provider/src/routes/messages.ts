import { answerChars, answerFor, lastUserText, promptTokens, shortHash, splitPieces, tokens } from '../text.ts';
import { sendError, sendJson } from '../respond.ts';
import { eventFrame, streamSse, type Frame } from '../sse.ts';
import type { Ctx } from '../types.ts';

/** POST /v1/messages — the Anthropic Messages API, as a relay in front of Claude sees it. */
export function messages(ctx: Ctx): void {
  const key = ctx.req.headers['x-api-key'];
  if (typeof key !== 'string' || key === '') return sendError(ctx, 401, 'x-api-key header is required');
  const j = ctx.json ?? {};
  const id = `msg_${shortHash(ctx.body)}`;
  const model = typeof j.model === 'string' ? j.model : 'claude-3-5-haiku-latest';
  const text = answerFor(lastUserText(j.messages), answerChars(ctx.defaults.minAnswerChars, ctx.b.chunks, j.stream === true));
  const thinking = ctx.b.reasoning ? `Considering the message: ${lastUserText(j.messages).slice(0, 80)}` : '';
  const tools = Array.isArray(j.tools) ? (j.tools as { name?: string }[]) : [];
  const uses = Array.from({ length: ctx.b.toolCalls }, (_, i) => ({
    type: 'tool_use', id: `toolu_${shortHash(`${id}:${i}`, 24)}`, name: tools.length ? (tools[i % tools.length]?.name ?? 'get_weather') : 'get_weather', input: { location: `City ${i}`, call: i },
  }));
  const inputTokens = promptTokens(j);
  const stop = uses.length ? 'tool_use' : 'end_turn';
  const blocks: Record<string, unknown>[] = [];
  if (thinking) blocks.push({ type: 'thinking', thinking, signature: `sig_${shortHash(thinking, 16)}` });
  if (uses.length) blocks.push(...uses);
  else blocks.push({ type: 'text', text });
  const outTokens = tokens(uses.length ? JSON.stringify(uses) : text) + (thinking ? tokens(thinking) : 0);
  const usage = { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outTokens, service_tier: 'standard' };
  const base = { id, type: 'message', role: 'assistant', model };
  if (j.stream !== true) return sendJson(ctx, 200, { ...base, content: blocks, stop_reason: stop, stop_sequence: null, usage });

  const frames: Frame[] = [];
  const ev = (type: string, data: Record<string, unknown>, paced = false) => frames.push(eventFrame(type, { type, ...data }, paced));
  ev('message_start', { message: { ...base, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } });
  let streamedOut = 0;
  const start = (index: number, content_block: unknown) => {
    ev('content_block_start', { index, content_block });
    if (index === 0) ev('ping', {});
  };
  blocks.forEach((block, index) => {
    if (block.type === 'thinking') {
      start(index, { type: 'thinking', thinking: '', signature: '' });
      for (const t of splitPieces(thinking, 4)) ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: t } }, true);
      ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } });
      streamedOut += tokens(thinking);
    } else if (block.type === 'tool_use') {
      start(index, { ...block, input: {} });
      const json = JSON.stringify(block.input);
      for (const partial_json of splitPieces(json, 3)) ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } }, true);
      streamedOut += tokens(json);
    } else {
      start(index, { type: 'text', text: '' });
      const pieces = splitPieces(text, ctx.b.chunks);
      for (const t of pieces) ev('content_block_delta', { index, delta: { type: 'text_delta', text: t } }, true);
      streamedOut += tokens(pieces.join(''));
    }
    ev('content_block_stop', { index });
  });
  ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: streamedOut } });
  ev('message_stop', {});
  streamSse(ctx, frames);
}
