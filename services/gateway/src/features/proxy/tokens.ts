import type { Exchange } from '../capture/exchange.ts';

const TOKEN_TAIL = 4096;

/** Tokens an exchange used, read from the tail of the captured response (OpenAI and Anthropic usage shapes). */
export function tokensFrom(ex: Exchange): number {
  const text = ex.responseBody.text;
  if (!text) return 0;
  const tail = text.length > TOKEN_TAIL ? text.slice(-TOKEN_TAIL) : text;
  const total = [...tail.matchAll(/"total_tokens"\s*:\s*(\d+)/g)].pop();
  if (total) return Number(total[1]);
  const input = [...text.matchAll(/"input_tokens"\s*:\s*(\d+)/g)].pop();
  const output = [...tail.matchAll(/"output_tokens"\s*:\s*(\d+)/g)].pop();
  return Number(input?.[1] ?? 0) + Number(output?.[1] ?? 0);
}
