import { describe, expect, it } from 'vitest';
import { SettingsSchema, type ExchangeEvent } from '@llm-relay/contracts';
import { chatEvent } from '../../../test/helpers/events.ts';
import { buildLog } from './build-log.ts';

const opts = { settings: SettingsSchema.parse({}), redactor: null, keepEmbeddingVectors: false };

function event(route: ExchangeEvent['route'], path: string, request: unknown, response: string, o: { stream?: boolean; contentType?: string; outcome?: ExchangeEvent['outcome']; model?: string } = {}): ExchangeEvent {
  const base = chatEvent({ model: o.model ?? 'm' });
  const req = typeof request === 'string' ? request : JSON.stringify(request);
  return {
    ...base,
    route,
    request: { ...base.request, path, body: { text: req, bytes: req.length, truncated: false, contentType: 'application/json' } },
    response: { ...base.response, stream: !!o.stream, body: { text: response, bytes: response.length, truncated: false, contentType: o.contentType ?? (o.stream ? 'text/event-stream' : 'application/json') } },
    outcome: o.outcome ?? 'ok',
  };
}
const sseOf = (events: { type: string }[]) => events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join('');

describe('routes other than chat', () => {
  it('Anthropic messages: prompt counts cache reads and writes, cached kept apart, priced from the table', () => {
    const stream = sseOf([
      { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 100, cache_read_input_tokens: 900, cache_creation_input_tokens: 0, output_tokens: 1 } } } as { type: string },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } as { type: string },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Bonjour' } } as { type: string },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1000 } } as { type: string },
      { type: 'message_stop' },
    ]);
    const log = buildLog(event('messages', '/v1/messages', { model: 'claude-sonnet-4-5', system: 'sys', messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hi in French' }] }] }, stream, { stream: true, model: 'claude-sonnet-4-5' }), opts);
    expect(log.usage).toEqual({ prompt: 1000, completion: 1000, total: 2000, cached: 900, reasoning: null, source: 'provider' });
    expect(log.cost.price?.model).toBe('claude-sonnet-4');
    expect(log.cost.usd).toBeCloseTo((100 * 3 + 900 * 0.3 + 1000 * 15) / 1e6, 12);
    expect(log.requestPreview).toBe('Say hi in French');
    expect(log.responsePreview).toBe('Bonjour');
  });

  it('Responses API: input/output tokens and the output text', () => {
    const final = { id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-4.1-2025-04-14', output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi!' }] }], usage: { input_tokens: 20, input_tokens_details: { cached_tokens: 5 }, output_tokens: 30, output_tokens_details: { reasoning_tokens: 10 }, total_tokens: 50 } };
    const log = buildLog(event('responses', '/v1/responses', { model: 'gpt-4.1', input: 'Greet me', instructions: 'Be nice' }, sseOf([{ type: 'response.completed', response: final } as { type: string }]), { stream: true }), opts);
    expect(log.usage).toEqual({ prompt: 20, completion: 30, total: 50, cached: 5, reasoning: 10, source: 'provider' });
    expect(log.requestPreview).toBe('Greet me');
    expect(log.responsePreview).toBe('Hi!');
    expect(log.response.body).toEqual(final);
  });

  it('embeddings: vectors dropped, input kept, usage from the provider', () => {
    const vec = Buffer.from(new Float32Array(1536).buffer).toString('base64');
    const body = JSON.stringify({ object: 'list', model: 'text-embedding-3-small', data: [{ object: 'embedding', index: 0, embedding: vec }], usage: { prompt_tokens: 3, total_tokens: 3 } });
    const log = buildLog(event('embeddings', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hello there', encoding_format: 'base64' }, body), opts);
    expect(log.response.body).toMatchObject({ data: [], embeddings: { count: 1, dimensions: 1536, encoding: 'base64' } });
    expect(JSON.stringify(log)).not.toContain(vec.slice(0, 40));
    expect(log.usage).toMatchObject({ prompt: 3, source: 'provider' });
    expect(log.requestPreview).toBe('hello there');
  });

  it('pass-through: JSON bodies kept, other bodies summarised, usage missing', () => {
    const json = buildLog(event('passthrough', '/v1/files', { purpose: 'batch' }, '{"object":"list","data":[]}'), opts);
    expect(json.response.body).toEqual({ object: 'list', data: [] });
    expect(json.usage.source).toBe('missing');
    const bin = chatEvent();
    const pass: ExchangeEvent = { ...bin, route: 'passthrough', response: { ...bin.response, body: { bytes: 52_000, truncated: false, contentType: 'audio/mpeg', summary: { sha256: 'ab'.repeat(32) } } } };
    expect(buildLog(pass, opts).response.body).toEqual({ omitted: true, contentType: 'audio/mpeg', bytes: 52_000, summary: { sha256: 'ab'.repeat(32) } });
  });

  it('a client abort mid-stream is stored with what arrived and marked incomplete', () => {
    const ev = chatEvent({ stream: true, answer: 'The quick brown fox', usage: null });
    const text = ev.response.body.text!;
    ev.response.body = { ...ev.response.body, text: text.slice(0, text.indexOf('brown')) };
    ev.outcome = 'client_abort';
    const log = buildLog(ev, opts);
    expect(log.incomplete).toBe(true);
    expect(log.responsePreview).toBe('The quick');
    expect(log.usage.source).toBe('estimated');
  });

  it('a truncated request body that is no longer JSON is kept as text', () => {
    const ev = chatEvent();
    ev.request.body = { ...ev.request.body, text: ev.request.body.text!.slice(0, 30), truncated: true };
    const log = buildLog(ev, opts);
    expect(typeof log.request.body).toBe('string');
    expect(log.request.truncated).toBe(true);
  });
});
