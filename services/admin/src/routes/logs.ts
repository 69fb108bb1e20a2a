import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { LogFilterSchema, LogListItemSchema, RelayError, ReplayAnswerSchema as ReplayAnswer, foldLogFilterQuery, type LogFilter } from '@llm-relay/contracts';
import { audit } from '../features/audit.ts';
import { exportStream } from '../features/logs/export.ts';
import { replayLog } from '../features/logs/replay.ts';
import { AUTH_ERRORS, errors, IdParamsSchema, LogDetailSchema } from '../schemas.ts';

const ListQuery = LogFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
const ExportQuery = LogFilterSchema.extend({
  format: z.enum(['jsonl', 'csv']).default('jsonl'),
  full: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});
const ReplayBody = z.strictObject({ apiKey: z.string().min(1).max(500) });
type Params = { Params: z.infer<typeof IdParamsSchema> };

/** `property.<name>=<value>` and `score.<name>.min|max` become LogFilter's `properties` and `scores` before validation. */
async function foldFilterQuery(req: { query: unknown }): Promise<void> {
  req.query = foldLogFilterQuery(req.query as Record<string, unknown>);
}

const FILTER_HELP =
  'Filters: `from`/`to` (ms), `model`, `provider`, `keyId`, `projectId` (the project of the call\'s key), `status`, `outcome`, `route`, `stream`, `errorsOnly`, `q` (search); attribution: `user`, `session`, `tag`, ' +
  '`prompt` (prompt family id), `promptVersion` (version id), `property.<name>=<value>` (any number, all must match), `scored=true|false` (has any score), ' +
  '`score.<name>.min` / `score.<name>.max` (inclusive; a log without that score does not match).';

function filterOf(q: Record<string, unknown>): LogFilter {
  const { limit: _l, cursor: _c, format: _f, full: _u, ...filter } = q;
  return filter as LogFilter;
}

export async function logRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['logs'];

  app.get<{ Querystring: z.infer<typeof ListQuery> }>(
    '/admin/logs',
    {
      config: { role: 'viewer' },
      preValidation: foldFilterQuery,
      schema: { tags, description: `Logs newest first (list view: metadata, previews, attribution, prompt ref, scores). ${FILTER_HELP}`, querystring: ListQuery, response: { 200: z.object({ items: z.array(LogListItemSchema), nextCursor: z.string().nullable() }), ...errors(...AUTH_ERRORS) } },
    },
    async (req) => app.store.listLogs(filterOf(req.query), { limit: req.query.limit, cursor: req.query.cursor ?? null }),
  );

  app.get<{ Querystring: z.infer<typeof ExportQuery> }>(
    '/admin/logs/export',
    {
      config: { role: 'viewer' },
      preValidation: foldFilterQuery,
      schema: {
        tags,
        description: `The logs matching the filters, newest first, streamed as JSON Lines or CSV (a file download). \`full=true\` includes request and response bodies. ${FILTER_HELP}`,
        querystring: ExportQuery,
        produces: ['application/x-ndjson', 'text/csv'],
        response: { 200: z.string().describe('the file'), ...errors(...AUTH_ERRORS) },
      },
    },
    async (req, reply) => {
      const filter = filterOf(req.query);
      const { format, full } = req.query;
      await audit(app, req, 'logs.export', null, { filter, format, full });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="llm-relay-logs-${stamp}.${format}"`);
      // a stream bypasses the serializer; the zod schema above is for the document only
      return reply.send(exportStream(app.store, filter, { format, full }));
    },
  );

  app.get<Params>('/admin/logs/:id', { config: { role: 'viewer' }, schema: { tags, params: IdParamsSchema, response: { 200: LogDetailSchema, ...errors(...AUTH_ERRORS, 404) } } }, async (req) => {
    const log = await app.store.getLog(req.params.id);
    if (!log) throw new RelayError('log_not_found', `No log ${req.params.id}.`, { param: 'id' });
    await audit(app, req, 'logs.view', log.id);
    return log;
  });

  app.post<Params & { Body: z.infer<typeof ReplayBody> }>(
    '/admin/logs/:id/replay',
    { config: { role: 'admin' }, schema: { tags, params: IdParamsSchema, body: ReplayBody, response: { 200: ReplayAnswer, ...errors(...AUTH_ERRORS, 404, 409, 502) } } },
    async (req) => {
      const log = await app.store.getLog(req.params.id);
      if (!log) throw new RelayError('log_not_found', `No log ${req.params.id}.`, { param: 'id' });
      const result = await replayLog(log, app.env.GATEWAY_INTERNAL_URL, req.body.apiKey);
      await audit(app, req, 'logs.replay', log.id, { status: result.status });
      return result;
    },
  );
}
