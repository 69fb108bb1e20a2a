import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { PromptFamilyAnswerSchema, PromptListAnswerSchema, PromptRenameBodySchema, RelayError, type PromptFamily, type PromptRenameBody } from '@llm-relay/contracts';
import type { PromptFamilyDetail } from '@llm-relay/store';
import { audit } from '../features/audit.ts';
import { lifetimeScores, promptStats } from '../features/prompts/view.ts';
import { AUTH_ERRORS, errors, IdParamsSchema } from '../schemas.ts';

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(300).optional(),
});
type Params = { Params: z.infer<typeof IdParamsSchema> };

function familyAnswer(d: PromptFamilyDetail, scores: Map<string, { sum: number; count: number }>): PromptFamily {
  return {
    id: d.family.id,
    name: d.family.name,
    source: d.family.source,
    versions: d.versions.map((v) => ({ id: v.id, label: v.label, text: v.text, ...promptStats(v.totals, v, scores.get(v.id) ?? null) })),
  };
}

/** Prompt families and versions the processor discovered (or clients named), with their lifetime figures. */
export async function promptRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['prompts'];
  const load = async (id: string): Promise<PromptFamilyDetail> => {
    const d = await app.store.getPromptFamily(id);
    if (!d) throw new RelayError('prompt_not_found', `No prompt family ${id}.`, { param: 'id' });
    return d;
  };

  app.get<{ Querystring: z.infer<typeof ListQuery> }>(
    '/admin/prompts',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        description: 'Prompt families, newest first, with their version count and lifetime requests, first/last use, latency p50/p95, tokens, cost, error rate and average score.',
        querystring: ListQuery,
        response: { 200: PromptListAnswerSchema, ...errors(...AUTH_ERRORS) },
      },
    },
    async (req) => {
      const [page, scores] = await Promise.all([app.store.listPromptFamilies({ limit: req.query.limit, cursor: req.query.cursor ?? null }), lifetimeScores(app.store, 'family')]);
      return {
        items: page.items.map((f) => ({ id: f.id, name: f.name, source: f.source, versionCount: f.versionCount, ...promptStats(f.totals, f, scores.get(f.id) ?? null) })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get<Params>(
    '/admin/prompts/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        description: 'One prompt family and its versions (v1, v2, … by first seen) with each normalised template and its lifetime figures.',
        params: IdParamsSchema,
        response: { 200: PromptFamilyAnswerSchema, ...errors(...AUTH_ERRORS, 404) },
      },
    },
    async (req) => familyAnswer(await load(req.params.id), await lifetimeScores(app.store, 'version')),
  );

  app.patch<Params & { Body: PromptRenameBody }>(
    '/admin/prompts/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        description: 'Rename a prompt family (detected families are named after their first words until renamed).',
        params: IdParamsSchema,
        body: PromptRenameBodySchema,
        response: { 200: PromptFamilyAnswerSchema, ...errors(...AUTH_ERRORS, 404) },
      },
    },
    async (req) => {
      const before = await load(req.params.id);
      await app.store.renamePromptFamily(before.family.id, req.body.name, Date.now());
      await audit(app, req, 'prompt.rename', before.family.id, { from: before.family.name, to: req.body.name });
      return familyAnswer(await load(req.params.id), await lifetimeScores(app.store, 'version'));
    },
  );
}
