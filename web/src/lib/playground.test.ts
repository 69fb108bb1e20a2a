import { describe, expect, it } from 'vitest';
import { answerOf, buildBody, draftFromRequest, ParamsError, readChatStream, runHeaders } from './playground.ts';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
}

describe('playground', () => {
  it('takes messages, model and the other parameters from a logged chat request', () => {
    const d = draftFromRequest(
      { model: 'gpt-4o', temperature: 0.2, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
      'fallback',
    );
    expect(d.model).toBe('gpt-4o');
    expect(d.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]);
    expect(JSON.parse(d.params)).toEqual({ temperature: 0.2 });
  });

  it('builds a streamed body per model and refuses parameters that are not a JSON object', () => {
    const d = { messages: [{ role: 'user' as const, content: 'x' }], model: 'a', params: '{"temperature":1}' };
    expect(buildBody(d, 'b')).toEqual({ temperature: 1, model: 'b', messages: d.messages, stream: true });
    expect(() => buildBody({ ...d, params: '[1]' }, 'b')).toThrow(ParamsError);
    expect(() => buildBody({ ...d, params: '{' }, 'b')).toThrow(ParamsError);
  });

  it('tags runs and links them to their source log', () => {
    expect(runHeaders('sk-x', 'log-1')).toMatchObject({ authorization: 'Bearer sk-x', 'x-relay-tags': 'playground', 'x-relay-property-source_log': 'log-1' });
    expect(runHeaders('sk-x', null)['x-relay-property-source_log']).toBeUndefined();
  });

  it('reads content deltas across chunk boundaries and all three line endings', async () => {
    const got: string[] = [];
    await readChatStream(
      streamOf('data: {"choices":[{"delta":{"content":"Hel"}}]}\n', '\ndata: {"choices":[{"delta":{"content":"lo"}}]}\r', '\n\r\ndata: {"choices":[{"delta":{"content":"!"}}]}\r\rdata: [DONE]\n\n'),
      (d) => got.push(d),
    );
    expect(got.join('')).toBe('Hello!');
  });

  it('throws the relay error event of a stream cut upstream', async () => {
    await expect(readChatStream(streamOf('data: {"error":{"message":"upstream reset"}}\n\n'), () => {})).rejects.toThrow('upstream reset');
  });

  it('reads the answer of a logged response', () => {
    expect(answerOf({ choices: [{ message: { content: 'yes' } }] })).toBe('yes');
    expect(answerOf(null)).toBe('');
  });
});
