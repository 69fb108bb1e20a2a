import { EXCHANGE_EVENT_VERSION, uuidv7, type ExchangeEvent } from '@llm-relay/contracts';

/** A realistic exchange event as the gateway emits it; override any part. */
export function chatEvent(opts: {
  id?: string;
  at?: number;
  stream?: boolean;
  prompt?: string;
  answer?: string;
  model?: string;
  usage?: Record<string, unknown> | null;
  usageInjected?: boolean;
  status?: number;
  keyId?: string;
  /** the system message (the exchange's instructions) */
  system?: string;
} = {}): ExchangeEvent {
  const at = opts.at ?? Date.now();
  const model = opts.model ?? 'gpt-4o-mini';
  const prompt = opts.prompt ?? 'Say hello';
  const answer = opts.answer ?? 'Hello there!';
  const usage = opts.usage === undefined ? { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 } : opts.usage;
  const requestBody = JSON.stringify({ model, stream: !!opts.stream, messages: [{ role: 'system', content: opts.system ?? 'Be brief.' }, { role: 'user', content: prompt }] });
  let responseText: string;
  if (opts.stream) {
    const base = { id: 'chatcmpl-x', object: 'chat.completion.chunk', created: Math.floor(at / 1000), model };
    const chunks: unknown[] = [
      { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      ...answer.match(/.{1,5}/gs)!.map((part) => ({ ...base, choices: [{ index: 0, delta: { content: part }, finish_reason: null }] })),
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
    ];
    if (usage) chunks.push({ ...base, choices: [], usage });
    responseText = chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + 'data: [DONE]\n\n';
  } else {
    responseText = JSON.stringify({
      id: 'chatcmpl-x', object: 'chat.completion', created: Math.floor(at / 1000), model,
      choices: [{ index: 0, message: { role: 'assistant', content: answer, refusal: null }, finish_reason: 'stop', logprobs: null }],
      ...(usage ? { usage } : {}),
    });
  }
  return {
    v: EXCHANGE_EVENT_VERSION,
    id: opts.id ?? uuidv7(at),
    gatewayId: 'gw-test',
    startedAt: at,
    upstreamHeadersAt: at + 40,
    firstByteAt: at + 55,
    endedAt: at + 120,
    route: 'chat.completions',
    key: { id: opts.keyId ?? 'key-1', prefix: 'sk-relay-abcd', name: 'test key' },
    provider: 'openai',
    model,
    upstreamModel: model,
    attempts: [{ provider: 'openai', status: opts.status ?? 200, startedAt: at + 2, durationMs: 110 }],
    request: { method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: { text: requestBody, bytes: Buffer.byteLength(requestBody), truncated: false, contentType: 'application/json' } },
    response: {
      status: opts.status ?? 200,
      headers: { 'content-type': opts.stream ? 'text/event-stream' : 'application/json' },
      stream: !!opts.stream,
      body: { text: responseText, bytes: Buffer.byteLength(responseText), truncated: false, contentType: opts.stream ? 'text/event-stream' : 'application/json' },
      ...(opts.usageInjected !== undefined ? { usageInjected: opts.usageInjected } : {}),
    },
    outcome: 'ok',
    clientIp: '127.0.0.1',
    userAgent: 'OpenAI/JS 7.57.0',
  };
}
