import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { RelayError, uuidv7, type ErrorCode } from '@llm-relay/contracts';

/**
 * Requests Node's HTTP parser refuses before fastify sees them (an authority-form target such as
 * `POST other-host:443`, a malformed request line, headers over the limit) and CONNECT, which Node hands to
 * a `connect` listener or silently drops: every one is answered in the OpenAI error shape with an
 * x-request-id, like every other error of the relay, and the connection is closed.
 */
function rawAnswer(code: ErrorCode, message: string): string {
  const e = new RelayError(code, message);
  const body = JSON.stringify(e.toBody());
  return `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${uuidv7()}\r\nconnection: close\r\n\r\n${body}`;
}

/** fastify's `clientErrorHandler`: what Node's parser refused. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  // a reset connection has nothing left to answer
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let answer: string;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') answer = rawAnswer('request_timeout', 'The request was not received in time.');
  else if (err.code === 'HPE_HEADER_OVERFLOW') answer = rawAnswer('request_header_fields_too_large', 'The request line and headers exceed the size limit.');
  else answer = rawAnswer('invalid_request_target', 'The request could not be parsed; only origin-form request targets (a path starting with `/`) are accepted.');
  if (socket.writable) socket.write(answer);
  socket.destroy();
}

/** CONNECT (authority-form): the relay is not a tunnel. */
export function refuseConnect(app: FastifyInstance): void {
  app.server.on('connect', (_req: unknown, socket: Duplex) => {
    socket.on('error', () => undefined);
    socket.end(rawAnswer('invalid_request_target', 'CONNECT is not supported: the relay is not a proxy.'));
  });
}
