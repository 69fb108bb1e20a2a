import { uuidv7, type StoredLog } from '@llm-relay/contracts';

// Stored-log fixtures shared by the store's conformance suite, admin's tests and the store benchmark.

export const T0 = Date.UTC(2026, 0, 1);
export const MIN = 60_000;
export const DAY = 86_400_000;

let n = 0;

/** A complete stored log; every field the port keeps has a distinct value so round trips are checked. */
export function makeLog(over: Partial<StoredLog> = {}): StoredLog {
  const createdAt = over.createdAt ?? T0 + ++n * 1000;
  const log: StoredLog = {
    id: uuidv7(createdAt),
    createdAt,
    route: 'chat.completions',
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    upstreamModel: 'gpt-4o-mini-2024-07-18',
    provider: 'openai',
    key: { id: 'key-a', prefix: 'sk-relay-aaaa', name: 'team a' },
    status: 200,
    outcome: 'ok',
    stream: false,
    incomplete: false,
    error: null,
    usage: { prompt: 12, completion: 30, total: 42, cached: 0, reasoning: null, source: 'provider' },
    cost: { usd: 0.000021, price: { model: 'gpt-4o-mini', input: 0.15, cachedInput: 0.075, output: 0.6, source: 'table' } },
    latency: { total: 420, ttft: null, upstream: 400 },
    requestPreview: 'say hello',
    responsePreview: 'hello there',
    clientIp: '10.0.0.7',
    userAgent: 'OpenAI/JS 7.0.0',
    gatewayId: 'gw-1',
    attribution: { user: null, session: null, tags: [], properties: {} },
    prompt: null,
    scores: {},
    timing: { startedAt: createdAt, upstreamHeadersAt: createdAt + 300, firstByteAt: createdAt + 310, endedAt: createdAt + 420 },
    attempts: [{ provider: 'openai', status: 200, startedAt: createdAt + 1, durationMs: 410 }],
    request: {
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'say hello' }], $schema: 'kept-verbatim', 'a.b': 1 },
      bytes: 90,
      truncated: false,
    },
    response: {
      headers: { 'content-type': 'application/json' },
      body: { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'hello there' } }] },
      bytes: 160,
      truncated: false,
      rawStream: null,
    },
    redactions: { email: 1 },
    searchText: 'say hello\nhello there',
    ...over,
  };
  if (over.createdAt !== undefined && over.id === undefined) log.id = uuidv7(over.createdAt);
  return log;
}

/** What getLog returns for a log: the stored log without the search-only text. */
export function asRead(log: StoredLog): StoredLog {
  const { searchText: _omit, ...rest } = log;
  return rest;
}
