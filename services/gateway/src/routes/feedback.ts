import type { FastifyInstance } from 'fastify';
import { FeedbackBodySchema, RelayError, uuidv7 } from '@llm-relay/contracts';
import { authenticate, notConfigured } from '../features/auth/authenticate.ts';
import type { GatewayContext } from '../features/proxy/context.ts';

/** A feedback body is a few fields and a comment of at most 2,000 characters. */
const FEEDBACK_BODY_LIMIT = 16 * 1024;

/**
 * `POST /v1/relay/feedback`: a score for a log, sent with the relay key that made it (so the official SDKs
 * can send it with `client.post('/relay/feedback', {body})`). Answered 202 once it is on the queue; the
 * processor applies it, also when it arrives before the log itself is stored.
 */
export function feedbackRoute(ctx: GatewayContext) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: FEEDBACK_BODY_LIMIT }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        done(new RelayError('invalid_json', `The request body is not valid JSON: ${(err as Error).message}`));
      }
    });
    app.post('/v1/relay/feedback', async (request, reply) => {
      const cfg = ctx.snapshots.current;
      if (!cfg) throw notConfigured();
      const key = authenticate(cfg, request.headers);
      const parsed = FeedbackBodySchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        ctx.metrics.feedback.inc({ result: 'invalid' });
        const issue = parsed.error.issues[0]!;
        const param = issue.path.map(String).join('.') || null;
        throw new RelayError('invalid_feedback', `${param ? `${param}: ` : ''}${issue.message}`, { param });
      }
      const b = parsed.data;
      const id = uuidv7();
      const score = { value: typeof b.value === 'boolean' ? (b.value ? 1 : 0) : b.value, at: Date.now(), by: 'key' as const, ...(b.comment !== undefined ? { comment: b.comment } : {}) };
      try {
        await ctx.feedback.add({ v: 1, id, logId: b.log_id, name: b.name, keyId: key.record.id, score });
      } catch (err) {
        ctx.metrics.feedback.inc({ result: 'unavailable' });
        throw err;
      }
      ctx.metrics.feedback.inc({ result: 'accepted' });
      return reply.code(202).send({ id, log_id: b.log_id, name: b.name, status: 'accepted' });
    });
  };
}
