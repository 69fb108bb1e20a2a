import { field, parseMultipart } from '../multipart.ts';
import { sendBytes, sendError, sendJson } from '../respond.ts';
import { shortHash } from '../text.ts';
import type { Ctx } from '../types.ts';
import { synthesizedBytes } from './files.ts';

const AUDIO_TYPES: Record<string, string> = { mp3: 'audio/mpeg', opus: 'audio/ogg', aac: 'audio/aac', flac: 'audio/flac', wav: 'audio/wav', pcm: 'audio/pcm' };

/** POST /v1/audio/speech: binary audio, 1 KiB per 10 characters of input, bytes derived from the input. */
export function speech(ctx: Ctx): void {
  const j = ctx.json ?? {};
  if (typeof j.input !== 'string') return sendError(ctx, 400, "Missing required parameter: 'input'.", 'missing_required_parameter', 'input');
  const format = typeof j.response_format === 'string' ? j.response_format : 'mp3';
  const audio = synthesizedBytes(`${j.voice}:${j.input}`, Math.max(1024, Math.ceil(j.input.length / 10) * 1024));
  if (format === 'mp3') audio.write('ID3', 0, 'latin1');
  sendBytes(ctx, 200, audio, AUDIO_TYPES[format] ?? 'application/octet-stream');
}

/** POST /v1/audio/transcriptions and /translations: multipart upload → {text} (or plain text). */
export function transcription(ctx: Ctx): void {
  const parts = parseMultipart(ctx.body, ctx.req.headers['content-type']);
  const file = parts.find((p) => p.filename !== undefined);
  if (!file) return sendError(ctx, 400, "Missing required parameter: 'file'.", 'missing_required_parameter', 'file');
  const text = `Mock transcription of ${file.filename} (${file.data.length} bytes, sha ${shortHash(file.data, 12)}).`;
  const format = field(parts, 'response_format') ?? 'json';
  if (format === 'text' || format === 'srt' || format === 'vtt') return sendBytes(ctx, 200, text, 'text/plain; charset=utf-8');
  const usage = { type: 'duration', seconds: Math.max(1, Math.round(file.data.length / 16000)) };
  if (format === 'verbose_json') return sendJson(ctx, 200, { task: 'transcribe', language: 'english', duration: usage.seconds, text, segments: [], usage });
  sendJson(ctx, 200, { text, usage });
}

// a 1x1 transparent PNG
const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export function imageGenerations(ctx: Ctx): void {
  const j = ctx.json ?? {};
  const n = Math.max(1, Math.min(10, Number(j.n) || 1));
  const url = j.response_format === 'url';
  const data = Array.from({ length: n }, (_, i) => (url ? { url: `https://mock.invalid/images/${shortHash(`${j.prompt}:${i}`, 16)}.png`, revised_prompt: j.prompt } : { b64_json: PNG_B64, revised_prompt: j.prompt }));
  sendJson(ctx, 200, { created: Math.floor(Date.now() / 1000), data, usage: { total_tokens: 100 * n, input_tokens: 50, output_tokens: 100 * n - 50, input_tokens_details: { text_tokens: 50, image_tokens: 0 } } });
}

const CATEGORIES = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm', 'self-harm/instructions', 'self-harm/intent', 'sexual', 'sexual/minors', 'violence', 'violence/graphic'];

/** POST /v1/moderations: flags an input that contains the word "kill", nothing else. */
export function moderations(ctx: Ctx): void {
  const j = ctx.json ?? {};
  const inputs: unknown[] = Array.isArray(j.input) ? j.input : [j.input];
  const results = inputs.map((inp) => {
    const text = typeof inp === 'string' ? inp : JSON.stringify(inp);
    const violent = /\bkill\b/i.test(text);
    return {
      flagged: violent,
      categories: Object.fromEntries(CATEGORIES.map((c) => [c, violent && c === 'violence'])),
      category_scores: Object.fromEntries(CATEGORIES.map((c) => [c, violent && c === 'violence' ? 0.93 : 0.0001])),
      category_applied_input_types: Object.fromEntries(CATEGORIES.map((c) => [c, ['text']])),
    };
  });
  sendJson(ctx, 200, { id: `modr-${shortHash(ctx.body, 20)}`, model: j.model ?? 'omni-moderation-latest', results });
}
