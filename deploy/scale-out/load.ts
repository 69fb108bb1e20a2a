/**
 * Bounded load through the edge with the official openai SDK: `total` chat completions, every third one
 * streamed, spread over `clients` SDK instances with `concurrency` requests in flight in all. The SDK's own
 * retries are off, so one call is exactly one exchange the relay must log. Stops by itself.
 */
import OpenAI, { APIError } from 'openai';

export interface LoadOptions {
  baseURL: string;
  apiKey: string;
  total: number;
  clients: number;
  concurrency: number;
  /** called after each finished request with the number finished so far */
  onProgress?: (done: number) => void;
  /** awaited before request n is sent: lets mid-run steps finish while load is still running */
  gate?: (n: number) => Promise<void>;
}

export interface LoadResult {
  /** x-request-id of every answer the relay gave (any status): each must be stored exactly once */
  requestIds: string[];
  ok: number;
  streamed: number;
  /** answers with an error status from the relay, by status */
  relayErrors: Record<number, number>;
  /** calls that got no answer from the relay (connection errors, edge errors without x-request-id) */
  noAnswer: { count: number; samples: string[] };
  latenciesMs: number[];
  elapsedMs: number;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const sdk = Array.from({ length: opts.clients }, () => new OpenAI({ baseURL: opts.baseURL, apiKey: opts.apiKey, maxRetries: 0, timeout: 60_000 }));
  const result: LoadResult = { requestIds: [], ok: 0, streamed: 0, relayErrors: {}, noAnswer: { count: 0, samples: [] }, latenciesMs: [], elapsedMs: 0 };
  let next = 0;
  let done = 0;
  const t0 = performance.now();

  const one = async (n: number): Promise<void> => {
    const client = sdk[n % sdk.length]!;
    const stream = n % 3 === 2;
    const started = performance.now();
    try {
      if (stream) {
        const { data, response } = await client.chat.completions
          .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `scale-out ${n}` }] })
          .withResponse();
        let text = '';
        for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
        if (!text) throw new Error(`stream ${n} carried no content`);
        record(response.headers.get('x-request-id'));
        result.streamed++;
      } else {
        const { data, response } = await client.chat.completions
          .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `scale-out ${n}` }] })
          .withResponse();
        if (!data.choices[0]?.message.content) throw new Error(`answer ${n} carried no content`);
        record(response.headers.get('x-request-id'));
      }
      result.ok++;
      result.latenciesMs.push(performance.now() - started);
    } catch (err) {
      const id = err instanceof APIError ? err.headers?.get('x-request-id') : null;
      if (err instanceof APIError && id && err.status) {
        result.requestIds.push(id);
        result.relayErrors[err.status] = (result.relayErrors[err.status] ?? 0) + 1;
      } else {
        result.noAnswer.count++;
        if (result.noAnswer.samples.length < 5) result.noAnswer.samples.push(`${(err as Error).message}`.slice(0, 200));
      }
    } finally {
      done++;
      opts.onProgress?.(done);
    }
  };

  function record(id: string | null): void {
    if (!id) throw new Error('an answer without x-request-id');
    result.requestIds.push(id);
  }

  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.total) {
        const n = next++;
        await opts.gate?.(n);
        await one(n);
      }
    }),
  );
  result.elapsedMs = performance.now() - t0;
  return result;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
