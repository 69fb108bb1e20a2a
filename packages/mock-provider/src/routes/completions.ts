import { answerChars, answerFor, contentText, promptTokens, shortHash, splitPieces, tokens } from '../text.ts';
import { sendJson } from '../respond.ts';
import { DONE, dataFrame, streamSse, type Frame } from '../sse.ts';
import type { Ctx } from '../types.ts';

function legacyLogprobs(text: string, n: number) {
  const toks = text.match(/\s*\S+|\s+/g) ?? [text];
  let off = 0;
  const text_offset = toks.map((t) => (off += t.length) - t.length);
  return {
    tokens: toks,
    token_logprobs: toks.map((_, i) => -(((i % 7) + 1) / 10)),
    top_logprobs: toks.map((t) => Object.fromEntries(Array.from({ length: n }, (_, k) => [k === 0 ? t : `${t}${k}`, -(k + 1) / 10]))),
    text_offset,
  };
}

/** Legacy POST /v1/completions. */
export function completions(ctx: Ctx): void {
  const j = ctx.json ?? {};
  const prompt = Array.isArray(j.prompt) ? contentText(j.prompt.map((p: unknown) => String(p))) : String(j.prompt ?? '');
  const id = `cmpl-${shortHash(ctx.body)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = typeof j.model === 'string' ? j.model : 'gpt-3.5-turbo-instruct';
  const lp = typeof j.logprobs === 'number' ? j.logprobs : null;
  const text = answerFor(prompt, answerChars(ctx.defaults.minAnswerChars, ctx.b.chunks, j.stream === true));
  const usage = { prompt_tokens: promptTokens(j), completion_tokens: tokens(text), total_tokens: promptTokens(j) + tokens(text) };
  if (j.stream !== true) {
    const body: Record<string, unknown> = {
      id, object: 'text_completion', created, model, system_fingerprint: 'fp_mock',
      choices: [{ text, index: 0, logprobs: lp === null ? null : legacyLogprobs(text, lp), finish_reason: 'stop' }],
    };
    if (!ctx.b.noUsage) body.usage = usage;
    return sendJson(ctx, 200, body);
  }
  const includeUsage = j.stream_options?.include_usage === true && !ctx.b.noUsage;
  const frames: Frame[] = [];
  const pieces = splitPieces(text, ctx.b.chunks);
  for (const piece of pieces) {
    const c: Record<string, unknown> = { id, object: 'text_completion', created, model, system_fingerprint: 'fp_mock', choices: [{ text: piece, index: 0, logprobs: lp === null ? null : legacyLogprobs(piece, lp), finish_reason: null }] };
    if (includeUsage) c.usage = null;
    frames.push(dataFrame(c, true));
  }
  const fin: Record<string, unknown> = { id, object: 'text_completion', created, model, system_fingerprint: 'fp_mock', choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] };
  if (includeUsage) fin.usage = null;
  frames.push(dataFrame(fin));
  if (includeUsage) frames.push(dataFrame({ id, object: 'text_completion', created, model, system_fingerprint: 'fp_mock', choices: [], usage: { ...usage, completion_tokens: tokens(pieces.join('')), total_tokens: usage.prompt_tokens + tokens(pieces.join('')) } }));
  frames.push(DONE);
  streamSse(ctx, frames);
}
