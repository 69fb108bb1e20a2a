import { createHash } from 'node:crypto';
import { sendError, sendJson } from '../respond.ts';
import { tokens } from '../text.ts';
import type { Ctx } from '../types.ts';

/** A unit vector derived from the text's hash: the same input always embeds the same way. */
export function embed(text: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  let seed = createHash('sha256').update(text).digest().readUInt32LE(0) || 1;
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const x = ((seed >>> 0) / 0xffffffff) * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  const s = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dims; i++) v[i] = v[i]! * s;
  return v;
}

function inputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  // token arrays (number[] or number[][]) are embedded by their text form
  if (input.every((x) => typeof x === 'number')) return [input.join(',')];
  return input.map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? x.join(',') : JSON.stringify(x)));
}

export function embeddings(ctx: Ctx): void {
  const j = ctx.json ?? {};
  const texts = inputs(j.input);
  if (!texts) return sendError(ctx, 400, "'input' must be a non-empty string or array", 'invalid_value', 'input');
  const dims = Number.isInteger(j.dimensions) && j.dimensions > 0 ? Math.min(j.dimensions, 8192) : ctx.defaults.embeddingDimensions;
  const base64 = j.encoding_format === 'base64';
  const data = texts.map((t, index) => {
    const v = embed(t, dims);
    return { object: 'embedding', index, embedding: base64 ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v) };
  });
  const promptTokens = texts.reduce((a, t) => a + tokens(t), 0);
  sendJson(ctx, 200, { object: 'list', data, model: typeof j.model === 'string' ? j.model : 'text-embedding-3-small', usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } });
}
