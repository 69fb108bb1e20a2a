/**
 * The SSE spec ends a line with CRLF, LF or a bare CR. A provider that uses CR or CRLF must be relayed event
 * by event (the gateway's framer finds the boundaries), have the relay's own usage chunk stripped, and be
 * stored as the same answer the client read (the processor's parser reads the same rule, contracts/sse.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type E2EStack } from './stack.ts';

interface StoredLog {
  stream: boolean;
  outcome: string;
  incomplete: boolean;
  response: { body: { choices: { message: { content: string } }[] } };
}

let stack: E2EStack;
beforeAll(async () => {
  stack = await startStack('sse-eol');
});
afterAll(() => stack?.stop());

describe('a stream whose lines end with a bare CR or CRLF', () => {
  for (const eol of ['cr', 'crlf'] as const) {
    it(`${eol}: arrives event by event, without the relay's usage chunk, and is stored as the client read it`, async () => {
      const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.proxyKey}`, 'content-type': 'application/json', 'x-mock-line-ending': eol, 'x-mock-chunks': '6', 'x-mock-interval-ms': '60' },
        body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `line endings ${eol}` }] }),
      });
      expect(res.status).toBe(200);
      const reads: string[] = [];
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) reads.push(decoder.decode(chunk as Uint8Array, { stream: true }));
      const text = reads.join('');
      // frames 60 ms apart: a framer that found no boundary would hold them all until the end (one read)
      expect(reads.filter((r) => r.includes('data:')).length).toBeGreaterThanOrEqual(4);
      const sep = eol === 'cr' ? '\r' : '\r\n';
      expect(text).toContain(`${sep}${sep}`);
      expect(text).not.toMatch(/(?<!\r)\n/);
      const chunks = text
        .split(`${sep}${sep}`)
        .filter((e) => e.startsWith('data: {'))
        .map((e) => JSON.parse(e.slice('data: '.length)) as { choices: { delta: { content?: string } }[]; usage?: unknown });
      // the relay asked the provider for usage itself; the client did not, so it sees none
      expect(chunks.every((c) => c.choices.length > 0 && c.usage === undefined)).toBe(true);
      expect(text).toContain('data: [DONE]');
      const answer = chunks.map((c) => c.choices[0]!.delta.content ?? '').join('');
      expect(answer).toContain(`line endings ${eol}`);

      const log = await stack.log<StoredLog>(res.headers.get('x-request-id')!);
      expect(log).toMatchObject({ stream: true, outcome: 'ok', incomplete: false });
      expect(log.response.body.choices[0]!.message.content).toBe(answer);
    });
  }
});
