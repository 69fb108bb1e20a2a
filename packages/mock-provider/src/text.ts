import { createHash } from 'node:crypto';

const FILLER = ' The quick brown fox jumps over the lazy dog, and the mock provider keeps talking so the answer has a realistic size.';
/** Long prompts are echoed only up to here, so an answer never grows without bound. */
const MAX_ECHO_CHARS = 2000;

type Part = { type?: string; text?: unknown };

/** Text of a message `content`: a string, or an array of parts (OpenAI, Responses and Anthropic shapes). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Part[])
    .map((p) => (typeof p === 'string' ? p : typeof p?.text === 'string' ? p.text : ''))
    .join('');
}

/** The last user message of a chat / Anthropic `messages` array or a Responses `input`. */
export function lastUserText(messages: unknown): string {
  if (typeof messages === 'string') return messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: string; content?: unknown } | undefined;
    if (m && (m.role === 'user' || m.role === undefined)) return contentText(m.content);
  }
  return '';
}

/** The deterministic answer: an echo of the prompt, padded to a minimum length. */
export function answerFor(userText: string, minChars: number): string {
  let text = `Hello! You said: ${userText.length > MAX_ECHO_CHARS ? userText.slice(0, MAX_ECHO_CHARS) : userText}`;
  if (text.length >= minChars) return text;
  while (text.length < minChars) text += FILLER;
  return text.slice(0, minChars);
}

/** A streamed answer has about 4 characters a chunk, like a model's tokens. */
export function answerChars(minChars: number, chunks: number, stream: boolean): number {
  return stream ? Math.max(minChars, chunks * 4) : minChars;
}

/** Split text into exactly n non-empty pieces (the text is padded when shorter than n). */
export function splitPieces(text: string, n: number): string[] {
  let t = text;
  while (t.length < n) t += FILLER;
  const out: string[] = [];
  const size = t.length / n;
  for (let i = 0; i < n; i++) out.push(t.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out;
}

/** A rough token count (4 characters a token) — deterministic, which is all a mock needs. */
export function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Tokens of everything a request sends as prompt. */
export function promptTokens(json: unknown): number {
  if (json === null || typeof json !== 'object') return 1;
  const j = json as Record<string, unknown>;
  const src = j.messages ?? j.input ?? j.prompt ?? '';
  let chars = 0;
  const walk = (v: unknown): void => {
    if (typeof v === 'string') chars += v.length;
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(src);
  if (typeof j.system === 'string') chars += j.system.length;
  if (typeof j.instructions === 'string') chars += j.instructions.length;
  return Math.max(1, Math.ceil(chars / 4));
}

export function shortHash(data: string | Buffer, len = 24): string {
  return createHash('sha256').update(data).digest('hex').slice(0, len);
}
