import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import OpenAI from 'openai';

/**
 * The official SDK as the oracle for chat stream reassembly: a real HTTP server answers with the given
 * SSE text and the SDK's `chat.completions.stream(...).finalChatCompletion()` builds the completion.
 */
export class SdkOracle {
  private server: Server | null = null;
  private body = '';
  private client: OpenAI | null = null;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(this.body);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as { port: number };
    this.client = new OpenAI({ apiKey: 'sk-test', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.close();
    this.server.closeAllConnections();
    await once(this.server, 'close');
  }

  /** What the SDK builds from this SSE text, with the SDK-only `parsed: null` removed from messages. */
  async finalChatCompletion(sse: string): Promise<Record<string, unknown>> {
    this.body = sse;
    const stream = this.client!.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const completion = structuredClone(await stream.finalChatCompletion()) as unknown as { choices: { message: Record<string, unknown> }[] };
    for (const c of completion.choices) delete c.message.parsed;
    return completion as unknown as Record<string, unknown>;
  }

  /** What the SDK's `responses.stream(...).finalResponse()` builds, without its SDK-only helpers (`output_text`, `output_parsed`, `parsed_arguments`, `parsed`). */
  async finalResponse(sse: string): Promise<Record<string, unknown>> {
    this.body = sse;
    const stream = this.client!.responses.stream({ model: 'm', input: 'hi' });
    const response = structuredClone(await stream.finalResponse()) as unknown as Record<string, unknown>;
    delete response.output_text;
    delete response.output_parsed;
    for (const item of (response.output as Record<string, unknown>[]) ?? []) {
      delete item.parsed_arguments;
      for (const part of (item.content as Record<string, unknown>[]) ?? []) delete part.parsed;
    }
    return response;
  }
}

/** SSE text from data payloads, as a provider writes it. */
export function sse(chunks: unknown[], opts: { done?: boolean; crlf?: boolean } = {}): string {
  const nl = opts.crlf ? '\r\n' : '\n';
  const parts = chunks.map((c) => `data: ${typeof c === 'string' ? c : JSON.stringify(c)}${nl}${nl}`);
  if (opts.done !== false) parts.push(`data: [DONE]${nl}${nl}`);
  return parts.join('');
}
