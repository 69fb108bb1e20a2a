import type { Route } from '@llm-relay/contracts';
import { isObj } from '../reassembly/index.ts';
import { responsesAnswerText } from '../reassembly/responses.ts';
import { anthropicAnswerText } from '../reassembly/anthropic.ts';

/** The plain text of a request: all of its prompt, and the last user turn (for the list preview). */
export function requestTexts(route: Route, body: unknown): { prompt: string; lastUser: string } {
  if (typeof body === 'string') return { prompt: body, lastUser: body };
  if (!isObj(body)) return { prompt: '', lastUser: '' };
  switch (route) {
    case 'chat.completions':
    case 'messages':
      return fromMessages(body.messages, body.system);
    case 'responses': {
      if (typeof body.input === 'string') return { prompt: join([textOf(body.instructions), body.input]), lastUser: body.input };
      return fromMessages(body.input, body.instructions);
    }
    case 'completions':
    case 'embeddings': {
      const v = route === 'completions' ? body.prompt : body.input;
      const parts = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
      return { prompt: join(parts), lastUser: parts.at(-1) ?? '' };
    }
    default:
      return { prompt: '', lastUser: '' };
  }
}

function fromMessages(messages: unknown, system: unknown): { prompt: string; lastUser: string } {
  const parts: string[] = [textOf(system)];
  let lastUser = '';
  if (Array.isArray(messages)) {
    for (const m of messages) {
      if (!isObj(m)) continue;
      // Responses API input items carry tool results in `output` and calls in `arguments`
      const t = join([textOf(m.content), typeof m.output === 'string' ? m.output : '', typeof m.arguments === 'string' ? `${String(m.name ?? '')}(${m.arguments})` : '', ...(Array.isArray(m.tool_calls) ? m.tool_calls.map(toolCallText) : [])]);
      parts.push(t);
      if (m.role === 'user' || (m.role === undefined && m.type === 'message')) lastUser = t;
    }
  }
  return { prompt: join(parts), lastUser };
}

/** Text of a content field: a string, or parts with `text` (OpenAI text/input_text, Anthropic text/tool_result). */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return join(
    content.map((p) => {
      if (typeof p === 'string') return p;
      if (!isObj(p)) return '';
      if (typeof p.text === 'string') return p.text;
      if (p.type === 'tool_result' || p.type === 'function_call_output') return textOf(p.content ?? p.output);
      return '';
    }),
  );
}

function toolCallText(tc: unknown): string {
  if (!isObj(tc) || !isObj(tc.function)) return '';
  return `${String(tc.function.name ?? '')}(${String(tc.function.arguments ?? '')})`;
}

/** The plain text of the answer, whatever the route's response shape. */
export function answerText(route: Route, body: unknown): string {
  if (!isObj(body)) return typeof body === 'string' && route !== 'passthrough' && route !== 'models' ? body : '';
  switch (route) {
    case 'chat.completions':
      return join(
        (Array.isArray(body.choices) ? body.choices : []).map((c) => {
          if (!isObj(c) || !isObj(c.message)) return '';
          const m = c.message;
          return join([textOf(m.content), typeof m.refusal === 'string' ? m.refusal : '', ...(Array.isArray(m.tool_calls) ? m.tool_calls.map(toolCallText) : [])]);
        }),
      );
    case 'completions':
      return join((Array.isArray(body.choices) ? body.choices : []).map((c) => (isObj(c) && typeof c.text === 'string' ? c.text : '')));
    case 'responses':
      return responsesAnswerText(body);
    case 'messages':
      return anthropicAnswerText(body);
    default:
      return '';
  }
}

/** Reasoning text the model produced, counted apart from the answer when usage is estimated. */
export function reasoningText(route: Route, body: unknown): string {
  if (!isObj(body)) return '';
  if (route === 'chat.completions' && Array.isArray(body.choices)) {
    return join(body.choices.map((c) => (isObj(c) && isObj(c.message) ? join([String(c.message.reasoning_content ?? ''), String(c.message.reasoning ?? '')]) : '')));
  }
  if (route === 'messages' && Array.isArray(body.content)) return join(body.content.map((b) => (isObj(b) && b.type === 'thinking' ? String(b.thinking ?? '') : '')));
  return '';
}

function join(parts: unknown[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n');
}
