import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { RelayError, openAIError } from '@llm-relay/contracts';
import { isStoreUnavailable } from '@llm-relay/store';

/**
 * One error shape for everything admin answers: `{error:{message,type,param,code}}` with an
 * x-request-id (CONTRIBUTING.md rule 10). Internals of 5xx errors are logged, never sent.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.setErrorHandler((err: FastifyError | RelayError, req, reply) => {
    if (err instanceof RelayError) {
      if (err.status >= 500) req.log.error({ err }, err.message);
      return reply.code(err.status).headers(err.headers).send(err.toBody());
    }
    const status = err.statusCode ?? 500;
    // before the Redis check: a MongoDB driver's "connect ECONNREFUSED" is the store's outage, not Redis's
    if (isStoreUnavailable(err)) {
      req.log.warn({ err: err.message }, 'store unavailable');
      return reply.code(503).header('retry-after', '5').send(openAIError('The log store (database) is unreachable or refuses writes; try again shortly.', 'server_error', 'STORE_UNAVAILABLE'));
    }
    if (isRedisDown(err)) {
      req.log.warn({ err: err.message }, 'redis unavailable');
      return reply.code(503).header('retry-after', '5').send(openAIError('Redis is unreachable; admin needs it for sessions, live logs and the gateway config. Try again shortly.', 'server_error', 'REDIS_UNAVAILABLE'));
    }
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
      return reply.code(500).send(openAIError('Internal error; see the admin log for this request id.', 'server_error', 'ADMIN_INTERNAL'));
    }
    if (err.validation) {
      const first = err.validation[0];
      const param = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') || null;
      return reply.code(400).send(openAIError(err.message, 'invalid_request_error', 'invalid_request', param));
    }
    const code = status === 413 ? 'body_too_large' : status === 415 ? 'unsupported_media_type' : (err.code ?? 'bad_request');
    return reply.code(status).send(openAIError(err.message, status === 429 ? 'rate_limit_error' : 'invalid_request_error', code));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send(openAIError(`No route ${req.method} ${req.url.split('?')[0]}`, 'not_found_error', 'not_found'));
  });
});

/** ioredis gives up on a command while disconnected with these; they mean "Redis is down", not a bug here. */
function isRedisDown(err: Error): boolean {
  return err.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable|ECONNREFUSED/.test(err.message);
}

/** Honour a caller's x-request-id when it looks like one, so a request can be followed across services. */
export function genReqId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{8,128}$/.test(given) ? given : randomUUID();
}
