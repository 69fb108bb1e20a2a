import { answerChars, answerFor, lastUserText, promptTokens, shortHash, splitPieces, tokens } from '../text.ts';
import { sendJson } from '../respond.ts';
import { DONE, dataFrame, streamSse, type Frame } from '../sse.ts';
import { remember } from '../remember.ts';
import type { Ctx } from '../types.ts';

const FINGERPRINT = 'fp_mock';

interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export function chatUsage(prompt: number, completion: number, reasoning = 0) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion + reasoning,
    total_tokens: prompt + completion + reasoning,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function toolCallsFor(ctx: Ctx, seed: string): ToolCall[] {
  const tools = Array.isArray(ctx.json?.tools) ? (ctx.json.tools as { function?: { name?: string } }[]) : [];
  const out: ToolCall[] = [];
  for (let i = 0; i < ctx.b.toolCalls; i++) {
    const name = tools.length ? (tools[i % tools.length]?.function?.name ?? 'get_weather') : 'get_weather';
    out.push({
      id: `call_${shortHash(`${seed}:${i}`, 20)}`,
      type: 'function',
      function: { name, arguments: JSON.stringify({ location: `City ${i}`, unit: 'celsius', call: i }) },
    });
  }
  return out;
}

/** Logprobs for a piece of text, one entry per word, deterministic. */
function logprobsFor(text: string, top: number) {
  const toks = text.match(/\s*\S+|\s+/g) ?? [text];
  return toks.map((token, i) => ({
    token,
    logprob: -(((i % 7) + 1) / 10),
    bytes: [...Buffer.from(token)],
    top_logprobs: Array.from({ length: top }, (_, k) => ({ token: k === 0 ? token : `${token.trim()}${k}`, logprob: -(k + 1) / 10 - (i % 7) / 10, bytes: [...Buffer.from(token)] })),
  }));
}

function reasoningText(user: string): string {
  return `Thinking about "${user.slice(0, 80)}": the user wants a friendly echo, so I will answer with it.`;
}

export function chatCompletions(ctx: Ctx): void {
  const j = ctx.json ?? {};
  const user = lastUserText(j.messages);
  const id = `chatcmpl-${shortHash(ctx.body)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = typeof j.model === 'string' ? j.model : 'mock-model';
  const n = Math.max(1, Math.min(8, Number(j.n) || 1));
  const wantLogprobs = j.logprobs === true;
  const top = Number(j.top_logprobs) || 0;
  // seeded by the conversation, not the raw body, so a streamed and a plain call agree on tool-call ids
  const tools = toolCallsFor(ctx, JSON.stringify([j.model, j.messages, j.tools]));
  const reasoning = ctx.b.reasoning ? reasoningText(user) : '';
  const prompt = promptTokens(j);

  if (j.stream !== true) {
    const content = tools.length ? null : answerFor(user, ctx.defaults.minAnswerChars);
    const choices = Array.from({ length: n }, (_, index) => {
      const message: Record<string, unknown> = { role: 'assistant', content, refusal: null, annotations: [] };
      if (tools.length) message.tool_calls = tools;
      if (reasoning) message.reasoning_content = reasoning;
      return {
        index,
        message,
        logprobs: wantLogprobs && content ? { content: logprobsFor(content, top), refusal: null } : null,
        finish_reason: tools.length ? 'tool_calls' : 'stop',
      };
    });
    const completion = tokens(content ?? JSON.stringify(tools)) * n;
    const body: Record<string, unknown> = { id, object: 'chat.completion', created, model, choices, service_tier: 'default', system_fingerprint: FINGERPRINT };
    if (!ctx.b.noUsage) body.usage = chatUsage(prompt, completion, reasoning ? tokens(reasoning) : 0);
    const stored = { ...body, request_messages: j.messages, metadata: j.metadata ?? {} };
    if (j.store === true) remember(ctx.state.chat, id, stored as typeof stored & { id: string });
    sendJson(ctx, 200, body);
    return;
  }

  const includeUsage = j.stream_options?.include_usage === true && !ctx.b.noUsage;
  const frames: Frame[] = [];
  const chunk = (delta: Record<string, unknown>, index: number, finish: string | null, logprobs: unknown = null, paced = false) => {
    const c: Record<string, unknown> = {
      id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: FINGERPRINT,
      choices: [{ index, delta, logprobs, finish_reason: finish }],
    };
    // OpenAI sends usage: null on every chunk but the last when include_usage is on
    if (includeUsage) c.usage = null;
    frames.push(dataFrame(c, paced));
  };
  let completion = 0;
  for (let k = 0; k < n; k++) chunk({ role: 'assistant', content: '', refusal: null }, k, null);
  if (reasoning) {
    for (const piece of splitPieces(reasoning, Math.min(8, ctx.b.chunks))) for (let k = 0; k < n; k++) chunk({ reasoning_content: piece }, k, null, null, true);
  }
  if (tools.length) {
    tools.forEach((t, index) => {
      const args = splitPieces(t.function.arguments, 3);
      for (let k = 0; k < n; k++) {
        chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.function.name, arguments: '' } }] }, k, null, null, true);
        for (const a of args) {
          // DashScope repeats id, type and name as empty strings on later fragments; accumulators must keep the first
          const fn = ctx.b.dashscope ? { name: '', arguments: a } : { arguments: a };
          const tc = ctx.b.dashscope ? { index, id: '', type: 'function', function: fn } : { index, function: fn };
          chunk({ tool_calls: [tc] }, k, null, null, true);
        }
      }
      completion += tokens(t.function.arguments) * n;
    });
  } else {
    const pieces = splitPieces(answerFor(user, answerChars(ctx.defaults.minAnswerChars, ctx.b.chunks, true)), ctx.b.chunks);
    for (const piece of pieces) {
      for (let k = 0; k < n; k++) chunk({ content: piece }, k, null, wantLogprobs ? { content: logprobsFor(piece, top), refusal: null } : null, true);
    }
    completion += tokens(pieces.join('')) * n;
  }
  for (let k = 0; k < n; k++) chunk({}, k, tools.length ? 'tool_calls' : 'stop');
  if (includeUsage) {
    frames.push(dataFrame({ id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: FINGERPRINT, choices: [], usage: chatUsage(prompt, completion, reasoning ? tokens(reasoning) : 0) }));
  }
  frames.push(DONE);
  streamSse(ctx, frames);
}
