import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { RelayError, SessionDetailSchema, SessionPageSchema, type LogListItem } from '@llm-relay/contracts';
import { AUTH_ERRORS, errors } from '../schemas.ts';

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(400).optional(),
  user: z.string().min(1).max(256).optional(),
});
const Params = z.object({ id: z.string().min(1).max(256) });
/** a session page shows its latest logs; a longer one is read with GET /admin/logs?session= */
const SESSION_LOGS_MAX = 1000;

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['sessions'];

  app.get<{ Querystring: z.infer<typeof ListQuery> }>(
    '/admin/sessions',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        description: 'Sessions (`x-relay-session`), most recently active first, summed as their logs were stored (no scan of logs). `user` keeps the sessions that user took part in; `cursor` is the `nextCursor` of the previous page.',
        querystring: ListQuery,
        response: { 200: SessionPageSchema, ...errors(...AUTH_ERRORS) },
      },
    },
    async (req) => app.store.listSessions({ limit: req.query.limit, cursor: req.query.cursor ?? null, ...(req.query.user ? { user: req.query.user } : {}) }),
  );

  app.get<{ Params: z.infer<typeof Params> }>(
    '/admin/sessions/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        description: `A session's totals and its logs (list view) in time order: the latest ${SESSION_LOGS_MAX} at most.`,
        params: Params,
        response: { 200: SessionDetailSchema, ...errors(...AUTH_ERRORS, 404) },
      },
    },
    async (req) => {
      const s = await app.store.getSession(req.params.id);
      if (!s) throw new RelayError('session_not_found', `No session ${req.params.id}.`, { param: 'id' });
      const page = await app.store.listLogs({ session: s.id }, { limit: SESSION_LOGS_MAX });
      const logs: LogListItem[] = page.items.reverse();
      const { id, ...totals } = s;
      return { id, totals, logs };
    },
  );
}
