/**
 * The provider message shapes, read once: a request/response pair as a list of messages, whatever API
 * produced it — OpenAI chat completions, the Responses API, Anthropic messages, legacy completions,
 * embeddings. The web UI renders them; the log processor takes its search, trace and token-estimate texts
 * from them (`conversationText`). Browser-safe and dependency-free.
 */
export type ConversationPart =
  | { kind: 'text'; text: string }
  | { kind: 'image'; url: string }
  | { kind: 'toolCall'; id: string | null; name: string; args: string }
  | { kind: 'toolResult'; id: string | null; content: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'other'; value: unknown };

export interface ConversationMessage {
  role: string;
  from: 'request' | 'response';
  parts: ConversationPart[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v, null, 2));
/** tool arguments as the provider sent them: a JSON string as is, an object (Anthropic `input`) as compact JSON */
const args = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

function contentParts(content: unknown): ConversationPart[] {
  if (typeof content === 'string') return content ? [{ kind: 'text', text: content }] : [];
  if (!Array.isArray(content)) return content === undefined || content === null ? [] : [{ kind: 'other', value: content }];
  const out: ConversationPart[] = [];
  for (const c of content) {
    if (typeof c === 'string') {
      out.push({ kind: 'text', text: c });
      continue;
    }
    if (!isObj(c)) continue;
    const type = c.type;
    if ((type === 'text' || type === 'input_text' || type === 'output_text') && typeof c.text === 'string') out.push({ kind: 'text', text: c.text });
    else if (type === 'image_url') out.push({ kind: 'image', url: str(isObj(c.image_url) ? c.image_url.url : c.image_url) });
    else if (type === 'input_image') out.push({ kind: 'image', url: str(c.image_url ?? c.file_id) });
    else if (type === 'image' && isObj(c.source)) {
      const s = c.source;
      out.push({ kind: 'image', url: s.type === 'base64' ? `data:${str(s.media_type)};base64,${str(s.data)}` : str(s.url) });
    } else if (type === 'tool_use') out.push({ kind: 'toolCall', id: str(c.id) || null, name: str(c.name), args: args(c.input) });
    else if (type === 'tool_result') out.push({ kind: 'toolResult', id: str(c.tool_use_id) || null, content: flattenText(c.content) });
    else if (type === 'thinking' || type === 'reasoning') out.push({ kind: 'reasoning', text: str(c.thinking ?? c.text) });
    else if (type === 'refusal') out.push({ kind: 'text', text: str(c.refusal) });
    else out.push({ kind: 'other', value: c });
  }
  return out;
}

function flattenText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (isObj(c) && typeof c.text === 'string' ? c.text : str(c))).join('\n');
  return str(content);
}

/** An OpenAI chat message (request `messages[]` or response `choices[].message`). */
function chatMessage(m: Obj, from: ConversationMessage['from']): ConversationMessage {
  const parts: ConversationPart[] = [];
  const reasoning = m.reasoning_content ?? m.reasoning;
  if (typeof reasoning === 'string' && reasoning) parts.push({ kind: 'reasoning', text: reasoning });
  if (m.role === 'tool') parts.push({ kind: 'toolResult', id: str(m.tool_call_id) || null, content: flattenText(m.content) });
  else parts.push(...contentParts(m.content));
  if (typeof m.refusal === 'string' && m.refusal) parts.push({ kind: 'text', text: m.refusal });
  if (Array.isArray(m.tool_calls)) {
    for (const tc of m.tool_calls) {
      if (!isObj(tc)) continue;
      const fn = isObj(tc.function) ? tc.function : {};
      parts.push({ kind: 'toolCall', id: str(tc.id) || null, name: str(fn.name), args: args(fn.arguments) });
    }
  }
  if (isObj(m.function_call)) parts.push({ kind: 'toolCall', id: null, name: str(m.function_call.name), args: args(m.function_call.arguments) });
  return { role: str(m.role) || 'assistant', from, parts };
}

/** A Responses API input or output item. */
function responsesItem(item: unknown, from: ConversationMessage['from']): ConversationMessage | null {
  if (typeof item === 'string') return { role: 'user', from, parts: [{ kind: 'text', text: item }] };
  if (!isObj(item)) return null;
  const type = item.type;
  if (type === 'function_call') return { role: 'assistant', from, parts: [{ kind: 'toolCall', id: str(item.call_id) || null, name: str(item.name), args: args(item.arguments) }] };
  if (type === 'function_call_output') return { role: 'tool', from, parts: [{ kind: 'toolResult', id: str(item.call_id) || null, content: str(item.output) }] };
  if (type === 'reasoning') {
    const text = Array.isArray(item.summary) ? item.summary.map((s) => (isObj(s) ? str(s.text) : str(s))).join('\n') : str(item.content);
    return { role: 'assistant', from, parts: [{ kind: 'reasoning', text }] };
  }
  if (type === 'message' || item.role) return { role: str(item.role) || 'assistant', from, parts: contentParts(item.content) };
  return { role: 'assistant', from, parts: [{ kind: 'other', value: item }] };
}

export function conversation(request: unknown, response: unknown): ConversationMessage[] {
  const out: ConversationMessage[] = [];
  const req = isObj(request) ? request : {};
  const res = isObj(response) ? response : {};

  // request side
  if (req.system !== undefined) out.push({ role: 'system', from: 'request', parts: contentParts(req.system) });
  if (typeof req.instructions === 'string' && req.instructions) out.push({ role: 'system', from: 'request', parts: [{ kind: 'text', text: req.instructions }] });
  if (Array.isArray(req.messages)) {
    for (const m of req.messages) if (isObj(m)) out.push(Array.isArray(m.content) && !m.tool_calls ? { role: str(m.role), from: 'request', parts: contentParts(m.content) } : chatMessage(m, 'request'));
  } else if (req.input !== undefined) {
    const items = Array.isArray(req.input) ? req.input : [req.input];
    for (const it of items) {
      const m = responsesItem(it, 'request');
      if (m) out.push(m);
    }
  } else if (req.prompt !== undefined) out.push({ role: 'user', from: 'request', parts: [{ kind: 'text', text: flattenText(req.prompt) }] });

  // response side
  if (Array.isArray(res.choices)) {
    for (const c of res.choices) {
      if (!isObj(c)) continue;
      if (isObj(c.message)) out.push(chatMessage(c.message, 'response'));
      else if (typeof c.text === 'string') out.push({ role: 'assistant', from: 'response', parts: [{ kind: 'text', text: c.text }] });
    }
  } else if (Array.isArray(res.output)) {
    for (const it of res.output) {
      const m = responsesItem(it, 'response');
      if (m) out.push(m);
    }
  } else if (res.type === 'message' && Array.isArray(res.content)) {
    out.push({ role: str(res.role) || 'assistant', from: 'response', parts: contentParts(res.content) });
  }
  return out;
}

/** The plain text of a part: a tool call as `name(args)`; images and unknown parts have none. */
function partText(p: ConversationPart): string {
  if (p.kind === 'text' || p.kind === 'reasoning') return p.text;
  if (p.kind === 'toolCall') return `${p.name}(${p.args})`;
  if (p.kind === 'toolResult') return p.content;
  return '';
}

/** The plain text of messages, one part a line; reasoning only when asked (it is not the answer). */
export function conversationText(messages: readonly ConversationMessage[], opts: { reasoning: 'with' | 'without' | 'only' } = { reasoning: 'with' }): string {
  const keep = (p: ConversationPart) => (opts.reasoning === 'only' ? p.kind === 'reasoning' : opts.reasoning === 'with' || p.kind !== 'reasoning');
  return messages
    .flatMap((m) => m.parts.filter(keep).map(partText))
    .filter((t) => t !== '')
    .join('\n');
}

/** The plain text of one content field: a string, or parts (OpenAI text/input_text, Anthropic text/tool_result). */
export function contentText(content: unknown): string {
  return conversationText([{ role: '', from: 'request', parts: contentParts(content) }]);
}
