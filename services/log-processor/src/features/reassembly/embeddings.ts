import { isObj } from './chat.ts';

/**
 * An embeddings response is mostly vectors nobody reads in a log: keep the count and dimensions
 * (the SDK asks for base64 by default; a base64 vector is float32, 4 bytes per dimension) and drop
 * the vectors themselves unless `keepVectors` is on.
 */
export function summarizeEmbeddings(body: unknown, keepVectors: boolean): unknown {
  if (!isObj(body) || !Array.isArray(body.data)) return body;
  if (keepVectors) return body;
  const { data, ...rest } = body;
  let dimensions: number | null = null;
  let encoding: 'float' | 'base64' | null = null;
  const first = data.find(isObj);
  if (first) {
    if (Array.isArray(first.embedding)) {
      encoding = 'float';
      dimensions = first.embedding.length;
    } else if (typeof first.embedding === 'string') {
      encoding = 'base64';
      dimensions = Math.floor(Buffer.byteLength(first.embedding, 'base64') / 4);
    }
  }
  return { ...rest, data: [], embeddings: { count: data.length, dimensions, encoding, vectorsOmitted: true } };
}
