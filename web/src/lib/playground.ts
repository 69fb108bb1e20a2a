/**
 * The playground's model: a chat request taken from a log (or a prompt version), edited, and run
 * against one to three models through the gateway, streamed. Runs are ordinary relay traffic,
 * tagged `playground` and linked to the log they came from (`x-relay-property-source_log`).
 */
export interface PlaygroundMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

export interface PlaygroundDraft {
  messages: PlaygroundMessage[];
  model: string;
  /** every other request field (temperature, max_tokens, …) as the user edits it, JSON text */
  params: string;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant']);
/** Fields the playground sets itself, so they are not shown among the editable parameters. */
const OWN_FIELDS = new Set(['messages', 'model', 'stream', 'stream_options', 'input', 'instructions']);

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return '';
}

/**
 * A draft from a logged request body: chat messages as they were (text parts joined), the Responses API's
 * `instructions` + string `input` as a system and a user message, the other fields as parameters.
 */
export function draftFromRequest(body: unknown, fallbackModel: string): PlaygroundDraft {
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const messages: PlaygroundMessage[] = [];
  if (Array.isArray(b.messages)) {
    for (const m of b.messages as { role?: unknown; content?: unknown }[]) {
      const role = typeof m?.role === 'string' && ROLES.has(m.role) ? (m.role as PlaygroundMessage['role']) : 'user';
      messages.push({ role, content: textOf(m?.content) });
    }
  } else {
    if (typeof b.instructions === 'string') messages.push({ role: 'system', content: b.instructions });
    if (typeof b.input === 'string') messages.push({ role: 'user', content: b.input });
  }
  if (!messages.length) messages.push({ role: 'user', content: '' });
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if (!OWN_FIELDS.has(k)) params[k] = v;
  return { messages, model: typeof b.model === 'string' ? b.model : fallbackModel, params: JSON.stringify(params, null, 2) };
}

/** A draft from a prompt version's template: the template as the system message and an empty user turn. */
export function draftFromTemplate(text: string, model: string): PlaygroundDraft {
  return { messages: [{ role: 'system', content: text }, { role: 'user', content: '' }], model, params: '{}' };
}

/** The answer text of a logged response body (a chat.completion, reassembled for streams). */
export function answerOf(body: unknown): string {
  const b = body as { choices?: { message?: { content?: unknown } }[]; output_text?: unknown } | null;
  if (typeof b?.output_text === 'string') return b.output_text;
  return textOf(b?.choices?.[0]?.message?.content);
}

export class ParamsError extends Error {}

/** The request body for one model: the parameters (which must be a JSON object), then messages, model, stream. */
export function buildBody(draft: PlaygroundDraft, model: string): Record<string, unknown> {
  let params: unknown;
  try {
    params = draft.params.trim() ? JSON.parse(draft.params) : {};
  } catch (err) {
    throw new ParamsError((err as Error).message);
  }
  if (!params || typeof params !== 'object' || Array.isArray(params)) throw new ParamsError('not a JSON object');
  return { ...(params as Record<string, unknown>), model, messages: draft.messages, stream: true };
}

/** The headers of a playground run: the relay key, the `playground` tag, the log it came from. */
export function runHeaders(relayKey: string, sourceLogId: string | null): Record<string, string> {
  const h: Record<string, string> = { authorization: `Bearer ${relayKey}`, 'content-type': 'application/json', 'x-relay-tags': 'playground' };
  if (sourceLogId) h['x-relay-property-source_log'] = sourceLogId;
  return h;
}

/**
 * Read a chat completions SSE stream, calling `onText` with each content delta. Lines end in \n, \r\n
 * or a bare \r (the SSE spec allows all three). Returns when `[DONE]` arrives or the body ends; an
 * `error` event from the relay (an upstream failure mid-stream) is thrown.
 */
export async function readChatStream(body: ReadableStream<Uint8Array>, onText: (delta: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const dispatch = (): boolean => {
    if (!data.length) return false;
    const payload = data.join('\n');
    data = [];
    if (payload === '[DONE]') return true;
    let chunk: { error?: { message?: string }; choices?: { delta?: { content?: unknown } }[] };
    try {
      chunk = JSON.parse(payload);
    } catch {
      return false;
    }
    if (chunk.error) throw new Error(chunk.error.message ?? 'stream error');
    const delta = chunk.choices?.[0]?.delta?.content;
    if (typeof delta === 'string' && delta) onText(delta);
    return false;
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let m: RegExpExecArray | null;
    const line = /\r\n|\r|\n/g;
    let start = 0;
    while ((m = line.exec(buffer))) {
      // a \r at the very end may be the first half of \r\n: wait for the next read
      if (m[0] === '\r' && m.index === buffer.length - 1) break;
      const text = buffer.slice(start, m.index);
      start = m.index + m[0].length;
      if (text === '') {
        if (dispatch()) return void reader.cancel();
      } else if (text.startsWith('data:')) data.push(text.slice(5).replace(/^ /, ''));
    }
    buffer = buffer.slice(start);
  }
  dispatch();
}
