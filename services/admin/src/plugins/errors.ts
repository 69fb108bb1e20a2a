import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyBaseLogger, FastifyError, FastifyInstance } from 'fastify';
import { RelayError, frameworkClientError } from '@llm-relay/contracts';
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
    const e = asRelayError(err, req.log);
    return reply.code(e.status).headers(e.headers).send(e.toBody());
  });

  app.setNotFoundHandler((req, reply) => {
    const e = new RelayError('unknown_url', `No route ${req.method} ${req.url.split('?')[0]}`);
    reply.code(e.status).send(e.toBody());
  });
});

function asRelayError(err: FastifyError | RelayError, log: FastifyBaseLogger): RelayError {
  if (err instanceof RelayError) {
    if (err.status >= 500) log.error({ err }, err.message);
    return err;
  }
  // before the Redis check: a MongoDB driver's "connect ECONNREFUSED" is the store's outage, not Redis's
  if (isStoreUnavailable(err)) {
    log.warn({ err: err.message }, 'store unavailable');
    return new RelayError('store_unavailable', 'The log store (database) is unreachable or refuses writes; try again shortly.', { headers: { 'retry-after': '5' } });
  }
  if (isRedisDown(err)) {
    log.warn({ err: err.message }, 'redis unavailable');
    return new RelayError('redis_unavailable', 'Redis is unreachable; admin needs it for sessions, live logs and the gateway config. Try again shortly.', { headers: { 'retry-after': '5' } });
  }
  if ((err.statusCode ?? 500) >= 500) {
    log.error({ err }, 'request failed');
    return new RelayError('internal_error', 'Internal error; see the admin log for this request id.');
  }
  if (err.validation) {
    const first = err.validation[0];
    const param = first?.instancePath?.replace(/^\//, '').replace(/\//g, '.') || null;
    return new RelayError('invalid_request', err.message, { param });
  }
  return frameworkClientError(err);
}

/** ioredis gives up on a command while disconnected with these; they mean "Redis is down", not a bug here. */
function isRedisDown(err: Error): boolean {
  return err.name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable|ECONNREFUSED/.test(err.message);
}

/** Honour a caller's x-request-id when it looks like one, so a request can be followed across services. */
export function genReqId(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{8,128}$/.test(given) ? given : randomUUID();
}
