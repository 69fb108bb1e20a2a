import { describe, expect, it } from 'vitest';
import { LiveClientMessageSchema, liveEntryFields, parseLiveEntry, type LiveLogSummary } from './live.ts';

const summary: LiveLogSummary = {
  id: '0190a0b0-0000-7000-8000-000000000001',
  createdAt: 1,
  route: 'chat.completions',
  method: 'POST',
  path: '/v1/chat/completions',
  model: 'gpt-4o-mini',
  upstreamModel: null,
  provider: 'openai',
  key: null,
  status: 200,
  outcome: 'ok',
  stream: false,
  incomplete: false,
  error: null,
  usage: { prompt: 1, completion: 2, total: 3, cached: 0, reasoning: null, source: 'provider' },
  cost: { usd: null, price: null },
  latency: { total: 10, ttft: null, upstream: 9 },
  requestPreview: 'hi',
  responsePreview: 'hello',
  clientIp: null,
  userAgent: null,
  gatewayId: null,
};

describe('live stream entries', () => {
  it('reads back what liveEntryFields writes', () => {
    expect(parseLiveEntry(liveEntryFields(summary))).toEqual(summary);
  });

  it('refuses another field name, broken JSON and a summary missing fields', () => {
    expect(parseLiveEntry(['summary', JSON.stringify(summary)])).toBeNull();
    expect(parseLiveEntry(['log', '{'])).toBeNull();
    expect(parseLiveEntry(['log', JSON.stringify({ id: 'x' })])).toBeNull();
  });
});

describe('live client messages', () => {
  it('accepts a filter of known routes and refuses an unknown route or a string boolean', () => {
    expect(LiveClientMessageSchema.safeParse({ type: 'filter', filter: { route: 'embeddings', errorsOnly: true } }).success).toBe(true);
    expect(LiveClientMessageSchema.safeParse({ type: 'filter', filter: { route: 'nope' } }).success).toBe(false);
    expect(LiveClientMessageSchema.safeParse({ type: 'filter', filter: { errorsOnly: 'true' } }).success).toBe(false);
  });
});
