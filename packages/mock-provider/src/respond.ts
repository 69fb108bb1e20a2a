import { gzipSync } from 'node:zlib';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Ctx } from './types.ts';

/** Rate-limit headers as OpenAI sends them, on every answer, so a gateway's header pass-through can be checked. */
const RATE_LIMIT_HEADERS: OutgoingHttpHeaders = {
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '10000000',
  'x-ratelimit-remaining-tokens': '9999000',
  'x-ratelimit-reset-tokens': '0s',
};

export function baseHeaders(ctx: Ctx, contentType: string): OutgoingHttpHeaders {
  return { 'content-type': contentType, 'x-request-id': ctx.requestId, 'openai-processing-ms': '1', ...RATE_LIMIT_HEADERS };
}

export function sendBytes(ctx: Ctx, status: number, body: Buffer | string, contentType: string, extra?: OutgoingHttpHeaders): void {
  const headers = baseHeaders(ctx, contentType);
  if (extra) Object.assign(headers, extra);
  let buf = typeof body === 'string' ? Buffer.from(body) : body;
  if (ctx.b.gzip) {
    buf = gzipSync(buf);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = buf.length;
  ctx.res.writeHead(status, headers);
  ctx.res.end(buf);
}

export function sendJson(ctx: Ctx, status: number, obj: unknown, extra?: OutgoingHttpHeaders): void {
  sendBytes(ctx, status, JSON.stringify(obj), 'application/json', extra);
}

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'invalid_request'],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_error', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'not_found'],
  409: ['invalid_request_error', 'conflict'],
  413: ['invalid_request_error', 'request_too_large'],
  422: ['invalid_request_error', 'unprocessable_entity'],
  429: ['rate_limit_error', 'rate_limit_exceeded'],
  500: ['server_error', 'server_error'],
  502: ['server_error', 'bad_gateway'],
  503: ['server_error', 'service_unavailable'],
  504: ['server_error', 'timeout'],
};

/** An error in the OpenAI shape (or Anthropic's on /v1/messages); 429 carries retry-after. */
export function sendError(ctx: Ctx, status: number, message?: string, code?: string, param: string | null = null): void {
  const [type, defCode] = ERROR_TYPES[status] ?? (status >= 500 ? ['server_error', 'server_error'] : ['invalid_request_error', 'error']);
  const msg = message ?? `Mock provider error ${status} (requested by x-mock-status)`;
  const extra: OutgoingHttpHeaders = status === 429 ? { 'retry-after': ctx.b.retryAfter, 'x-ratelimit-remaining-requests': '0' } : {};
  if (ctx.path === '/v1/messages') {
    const aType = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : status === 404 ? 'not_found_error' : 'invalid_request_error';
    sendJson(ctx, status, { type: 'error', error: { type: aType, message: msg } }, extra);
    return;
  }
  sendJson(ctx, status, { error: { message: msg, type, param, code: code ?? defCode } }, extra);
}

export function notFound(ctx: Ctx): void {
  sendError(ctx, 404, `Unknown request URL: ${ctx.method} ${ctx.path}. Please check the URL for typos, or see the docs at https://platform.openai.com/docs/api-reference/.`, 'unknown_url');
}
