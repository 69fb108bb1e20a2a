import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  DEFAULT_ALERT_THRESHOLDS,
  ProjectCreateBodySchema,
  ProjectPatchBodySchema,
  ProjectViewSchema,
  RelayError,
  uuidv7,
  type ProjectCreateBody,
  type ProjectPatchBody,
  type ProjectView,
} from '@llm-relay/contracts';
import { isStoreConflict, type ProjectRecord, type RelayKeyRecord } from '@llm-relay/store';
import { audit } from '../features/audit.ts';
import { republish } from '../features/snapshot/republish.ts';
import { spendOf, type SpendScope } from '../features/projects/spend.ts';
import { AUTH_ERRORS, errors, IdParamsSchema } from '../schemas.ts';

type Params = { Params: z.infer<typeof IdParamsSchema> };

const SPEND_HELP =
  'Each project and each of its keys carries `spend` in the current period of its budget (a calendar month in UTC when it has none): ' +
  '`usd` counted from stored logs, `periodStart` (ms), and `unpricedCalls`, calls whose model has no known price (counted as $0, so `usd` may be low).';

export async function projectRoutes(app: FastifyInstance): Promise<void> {
  const config = { role: 'admin' as const };
  const tags = ['projects'];
  const load = async (id: string): Promise<ProjectRecord> => {
    const p = await app.store.getProject(id);
    if (!p) throw new RelayError('project_not_found', `No project ${id}.`, { param: 'id' });
    return p;
  };

  /** projects with their keys and the spend of each, the keys' spend read in the same round trip */
  const views = async (req: FastifyRequest, projects: ProjectRecord[]): Promise<ProjectView[]> => {
    const ids = new Set(projects.map((p) => p.id));
    const keys = (await app.store.listKeys()).filter((k): k is RelayKeyRecord & { projectId: string } => k.projectId !== null && ids.has(k.projectId));
    const scopes: SpendScope[] = [
      ...projects.map((p): SpendScope => ({ scope: 'project', id: p.id, period: p.budget?.period ?? 'month' })),
      ...keys.map((k): SpendScope => ({ scope: 'key', id: k.id, period: k.budget?.period ?? 'month' })),
    ];
    const spend = await spendOf({ store: app.store, redis: app.redis, prefix: app.env.REDIS_PREFIX, log: req.log }, scopes);
    const keySpend = new Map(keys.map((k, i) => [k.id, spend[projects.length + i]!]));
    return projects.map((p, i) => ({
      id: p.id,
      name: p.name,
      budget: p.budget,
      alertWebhookUrl: p.alertWebhookUrl,
      alertThresholds: p.alertThresholds,
      createdAt: p.createdAt,
      spend: spend[i]!,
      keys: keys
        .filter((k) => k.projectId === p.id)
        .map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, status: k.status, budget: k.budget, spend: keySpend.get(k.id)! })),
    }));
  };
  const viewOf = async (req: FastifyRequest, p: ProjectRecord): Promise<ProjectView> => (await views(req, [p]))[0]!;

  /** a taken name is the client's to fix: 409 naming the field */
  const storing = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (err) {
      if (isStoreConflict(err) && err.code === 'project_name_taken') throw new RelayError('project_name_taken', `${err.message}; choose another name.`, { param: 'name' });
      throw err;
    }
  };

  app.get(
    '/admin/projects',
    { config, schema: { tags, description: `Every project with its budget, alert settings and keys, oldest first. ${SPEND_HELP}`, response: { 200: z.object({ items: z.array(ProjectViewSchema) }), ...errors(...AUTH_ERRORS) } } },
    async (req) => ({ items: await views(req, await app.store.listProjects()) }),
  );

  app.get<Params>(
    '/admin/projects/:id',
    { config, schema: { tags, description: `One project. ${SPEND_HELP}`, params: IdParamsSchema, response: { 200: ProjectViewSchema, ...errors(...AUTH_ERRORS, 404) } } },
    async (req) => viewOf(req, await load(req.params.id)),
  );

  app.post<{ Body: ProjectCreateBody }>(
    '/admin/projects',
    { config, schema: { tags, body: ProjectCreateBodySchema, response: { 201: ProjectViewSchema, ...errors(...AUTH_ERRORS, 409) } } },
    async (req, reply) => {
      const b = req.body;
      const now = Date.now();
      const project: ProjectRecord = {
        id: uuidv7(),
        name: b.name,
        budget: b.budget ?? null,
        alertWebhookUrl: b.alertWebhookUrl ?? null,
        alertThresholds: b.alertThresholds ?? DEFAULT_ALERT_THRESHOLDS,
        createdAt: now,
        updatedAt: now,
      };
      await storing(() => app.store.createProject(project));
      await republish(app, req);
      await audit(app, req, 'project.create', project.id, { name: project.name, budget: project.budget });
      return reply.code(201).send(await viewOf(req, project));
    },
  );

  app.patch<Params & { Body: ProjectPatchBody }>(
    '/admin/projects/:id',
    { config, schema: { tags, params: IdParamsSchema, body: ProjectPatchBodySchema, response: { 200: ProjectViewSchema, ...errors(...AUTH_ERRORS, 404, 409) } } },
    async (req) => {
      const before = await load(req.params.id);
      const next = await storing(() => app.store.updateProject(before.id, { ...req.body, updatedAt: Date.now() }));
      if (!next) throw new RelayError('project_not_found', `No project ${before.id}.`, { param: 'id' });
      await republish(app, req);
      await audit(app, req, 'project.update', before.id, { changed: Object.keys(req.body), ...('budget' in req.body ? { budget: req.body.budget } : {}) });
      return viewOf(req, next);
    },
  );

  app.delete<Params>(
    '/admin/projects/:id',
    { config, schema: { tags, description: 'Delete a project; its keys stay, outside any project.', params: IdParamsSchema, response: { 204: z.null(), ...errors(...AUTH_ERRORS, 404) } } },
    async (req, reply) => {
      const before = await load(req.params.id);
      if (!(await app.store.deleteProject(before.id))) throw new RelayError('project_not_found', `No project ${before.id}.`, { param: 'id' });
      await republish(app, req);
      await audit(app, req, 'project.delete', before.id, { name: before.name });
      return reply.code(204).send();
    },
  );
}
