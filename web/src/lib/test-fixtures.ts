import type { LogListItem } from '@llm-relay/contracts';

/** A list item as the API returns it, for unit tests. */
export function sampleLog(id: string, createdAt: number, over: Partial<LogListItem> = {}): LogListItem {
  return {
    id,
    createdAt,
    route: 'chat.completions',
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    upstreamModel: 'gpt-4o-mini',
    provider: 'mock',
    key: { id: 'k1', prefix: 'sk-relay-ab', name: 'dev' },
    status: 200,
    outcome: 'ok',
    stream: false,
    incomplete: false,
    error: null,
    usage: { prompt: 10, completion: 5, total: 15, cached: null, reasoning: null, source: 'provider' },
    cost: { usd: 0.0001, price: null },
    latency: { total: 120, ttft: null, upstream: 110 },
    requestPreview: 'Hello',
    responsePreview: 'Hi there',
    clientIp: '127.0.0.1',
    userAgent: 'test',
    gatewayId: 'gw-1',
    ...over,
  };
}
