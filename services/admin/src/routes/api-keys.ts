import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { KeyCreateBodySchema, KeyPatchBodySchema, KeyWithSecretSchema, RelayError, uuidv7, type KeyCreateBody, type KeyPatchBody } from '@llm-relay/contracts';
import type { RelayKeyRecord } from '@llm-relay/store';
import { generateRelayKey } from '@llm-relay/server-kit';
import { audit } from '../features/audit.ts';
import { republish } from '../features/snapshot/republish.ts';
import { AUTH_ERRORS, errors, IdParamsSchema, KeyViewSchema, type KeyView } from '../schemas.ts';

type Params = { Params: z.infer<typeof IdParamsSchema> };
const ListQuery = z.object({ projectId: z.string().min(1).max(200).optional() });

/** A key as lists show it: everything but the hash. */
export function toKeyView(k: RelayKeyRecord): KeyView {
  const { hash: _hash, ...view } = k;
  return view;
}

export async function apiKeyRoutes(app: FastifyInstance): Promise<void> {
  const config = { role: 'admin' as const };
  const tags = ['api-keys'];
  const load = async (id: string): Promise<RelayKeyRecord> => {
    const k = await app.store.getKey(id);
    if (!k) throw new RelayError('key_not_found', `No relay key ${id}.`, { param: 'id' });
    return k;
  };
  /** a key may only join a project that exists */
  const checkProject = async (projectId: string | null | undefined): Promise<void> => {
    if (typeof projectId === 'string' && !(await app.store.getProject(projectId))) {
      throw new RelayError('unknown_project', `No project ${projectId}.`, { param: 'projectId' });
    }
  };

  app.get<{ Querystring: z.infer<typeof ListQuery> }>(
    '/admin/api-keys',
    { config, schema: { tags, description: 'Relay keys, newest first; `projectId` keeps the keys of that project.', querystring: ListQuery, response: { 200: z.object({ items: z.array(KeyViewSchema) }), ...errors(...AUTH_ERRORS) } } },
    async (req) => ({
      items: (await app.store.listKeys())
        .filter((k) => req.query.projectId === undefined || k.projectId === req.query.projectId)
        .sort((a, b) => b.createdAt - a.createdAt)
        .map(toKeyView),
    }),
  );

  app.post<{ Body: KeyCreateBody }>(
    '/admin/api-keys',
    { config, schema: { tags, body: KeyCreateBodySchema, response: { 201: KeyWithSecretSchema, ...errors(...AUTH_ERRORS) } } },
    async (req, reply) => {
      const { secret, prefix, hash } = generateRelayKey();
      const b = req.body;
      await checkProject(b.projectId);
      const record: RelayKeyRecord = {
        id: uuidv7(),
        name: b.name,
        prefix,
        hash,
        status: 'active',
        createdAt: Date.now(),
        expiresAt: b.expiresAt ?? null,
        allowedModels: b.allowedModels ?? [],
        limits: b.limits ?? {},
        ...(b.defaultProvider ? { defaultProvider: b.defaultProvider } : {}),
        projectId: b.projectId ?? null,
        budget: b.budget ?? null,
        lastUsedAt: null,
        usage: { requests: 0, tokens: 0, costUsd: 0 },
      };
      await app.store.upsertKey(record);
      await republish(app, req);
      await audit(app, req, 'key.create', record.id, { name: record.name, prefix });
      return reply.code(201).send({ key: toKeyView(record), secret });
    },
  );

  app.patch<Params & { Body: KeyPatchBody }>(
    '/admin/api-keys/:id',
    { config, schema: { tags, params: IdParamsSchema, body: KeyPatchBodySchema, response: { 200: KeyViewSchema, ...errors(...AUTH_ERRORS, 404) } } },
    async (req) => {
      const before = await load(req.params.id);
      await checkProject(req.body.projectId);
      const { defaultProvider, ...rest } = req.body;
      const next: RelayKeyRecord = { ...before, ...rest };
      if (defaultProvider === null) delete next.defaultProvider;
      else if (defaultProvider !== undefined) next.defaultProvider = defaultProvider;
      await app.store.upsertKey(next);
      await republish(app, req);
      await audit(app, req, 'key.update', before.id, { changed: Object.keys(req.body), ...(req.body.status ? { status: req.body.status } : {}) });
      return toKeyView(next);
    },
  );

  app.post<Params>('/admin/api-keys/:id/rotate', { config, schema: { tags, params: IdParamsSchema, response: { 200: KeyWithSecretSchema, ...errors(...AUTH_ERRORS, 404) } } }, async (req) => {
    const before = await load(req.params.id);
    const { secret, prefix, hash } = generateRelayKey();
    const next: RelayKeyRecord = { ...before, prefix, hash };
    await app.store.upsertKey(next);
    await republish(app, req);
    await audit(app, req, 'key.rotate', before.id, { oldPrefix: before.prefix, prefix });
    return { key: toKeyView(next), secret };
  });

  app.delete<Params>('/admin/api-keys/:id', { config, schema: { tags, params: IdParamsSchema, response: { 204: z.null(), ...errors(...AUTH_ERRORS, 404) } } }, async (req, reply) => {
    const before = await load(req.params.id);
    await app.store.deleteKey(before.id);
    await republish(app, req);
    await audit(app, req, 'key.delete', before.id, { name: before.name, prefix: before.prefix });
    return reply.code(204).send();
  });
}
