import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { MAX_FEEDBACK_COMMENT_CHARS, RelayError, SCORE_NAME_PATTERN, ScoreSchema } from '@llm-relay/contracts';
import { audit } from '../features/audit.ts';
import { AUTH_ERRORS, errors } from '../schemas.ts';

const Params = z.object({ id: z.string().min(1).max(200), name: z.string().regex(SCORE_NAME_PATTERN, 'a score name is 1-64 of A-Z a-z 0-9 _ -') });
const Body = z.strictObject({ value: z.union([z.number().finite(), z.boolean()]), comment: z.string().max(MAX_FEEDBACK_COMMENT_CHARS).optional() });
const ScoresAnswer = z.object({ scores: z.record(z.string(), ScoreSchema) });

/** An admin sets or clears a log's score; it replaces what keys sent (the later write wins) and moves the score roll-ups. */
export async function scoreRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['logs'];
  const notFound = (id: string) => new RelayError('log_not_found', `No log ${id}.`, { param: 'id' });

  app.put<{ Params: z.infer<typeof Params>; Body: z.infer<typeof Body> }>(
    '/admin/logs/:id/scores/:name',
    {
      config: { role: 'admin' },
      schema: { tags, description: 'Set the score `name` of a log (`true`/`false` are stored as 1/0). Answers the log\'s scores.', params: Params, body: Body, response: { 200: ScoresAnswer, ...errors(...AUTH_ERRORS, 404) } },
    },
    async (req) => {
      const { id, name } = req.params;
      const v = req.body.value;
      const score = { value: typeof v === 'boolean' ? (v ? 1 : 0) : v, at: Date.now(), by: 'admin' as const, ...(req.body.comment !== undefined ? { comment: req.body.comment } : {}) };
      if ((await app.store.setScore(id, name, score)) === 'not_found') throw notFound(id);
      await audit(app, req, 'logs.score.set', id, { name, value: score.value });
      return { scores: (await app.store.getLog(id))?.scores ?? {} };
    },
  );

  app.delete<{ Params: z.infer<typeof Params> }>(
    '/admin/logs/:id/scores/:name',
    { config: { role: 'admin' }, schema: { tags, description: 'Clear the score `name` of a log.', params: Params, response: { 204: z.null(), ...errors(...AUTH_ERRORS, 404) } } },
    async (req, reply) => {
      const { id, name } = req.params;
      if (!(await app.store.deleteScore(id, name))) {
        if (!(await app.store.getLog(id))) throw notFound(id);
        throw new RelayError('score_not_found', `Log ${id} has no score \`${name}\`.`, { param: 'name' });
      }
      await audit(app, req, 'logs.score.delete', id, { name });
      return reply.code(204).send(null);
    },
  );
}
