import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { normalizeBaseUrl, ProviderSchema, ProviderTestAnswerSchema as TestAnswer, RelayError, uuidv7, type Provider } from '@llm-relay/contracts';
import { audit } from '../features/audit.ts';
import { republish } from '../features/snapshot/republish.ts';
import { mergeApiKeys, mergeHeaders, slugId, testProvider, toProviderView } from '../features/providers.ts';
import { AUTH_ERRORS, errors, IdParamsSchema, patchOf, ProviderViewSchema } from '../schemas.ts';

const CreateBody = ProviderSchema.extend({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - only').optional() });
const PatchBody = patchOf(ProviderSchema.omit({ id: true }));
type Params = { Params: z.infer<typeof IdParamsSchema> };

export async function providerRoutes(app: FastifyInstance): Promise<void> {
  const config = { role: 'admin' as const };
  const tags = ['providers'];
  const load = async (id: string): Promise<Provider> => {
    const p = await app.store.getProvider(id);
    if (!p) throw new RelayError('provider_not_found', `No provider ${id}.`, { param: 'id' });
    return p;
  };

  app.get('/admin/providers', { config, schema: { tags, response: { 200: z.object({ items: z.array(ProviderViewSchema) }), ...errors(...AUTH_ERRORS) } } }, async () => ({
    items: (await app.store.listProviders()).map(toProviderView),
  }));

  app.post<{ Body: z.infer<typeof CreateBody> }>(
    '/admin/providers',
    { config, schema: { tags, body: CreateBody, response: { 201: ProviderViewSchema, ...errors(...AUTH_ERRORS, 409) } } },
    async (req, reply) => {
      const id = req.body.id ?? (slugId(req.body.name) || uuidv7());
      if (await app.store.getProvider(id)) throw new RelayError('provider_exists', `A provider with id ${id} exists; choose another id.`, { param: 'id' });
      const provider: Provider = { ...req.body, id, baseUrl: normalizeBaseUrl(req.body.baseUrl) };
      await app.store.upsertProvider(provider);
      await republish(app, req);
      await audit(app, req, 'provider.create', id, { name: provider.name, baseUrl: provider.baseUrl });
      return reply.code(201).send(toProviderView(provider));
    },
  );

  app.get<Params>('/admin/providers/:id', { config, schema: { tags, params: IdParamsSchema, response: { 200: ProviderViewSchema, ...errors(...AUTH_ERRORS, 404) } } }, async (req) =>
    toProviderView(await load(req.params.id)),
  );

  app.put<Params & { Body: Partial<Provider> }>(
    '/admin/providers/:id',
    { config, schema: { tags, params: IdParamsSchema, body: PatchBody, response: { 200: ProviderViewSchema, ...errors(...AUTH_ERRORS, 404) } } },
    async (req) => {
      const before = await load(req.params.id);
      const body = req.body;
      const merged = ProviderSchema.safeParse({
        ...before,
        ...body,
        id: before.id,
        ...(body.apiKeys ? { apiKeys: mergeApiKeys(before.apiKeys, body.apiKeys) } : {}),
        ...(body.headers ? { headers: mergeHeaders(before.headers, body.headers) } : {}),
        ...(body.baseUrl ? { baseUrl: normalizeBaseUrl(body.baseUrl) } : {}),
      });
      if (!merged.success) {
        const param = merged.error.issues[0]!.path.map(String).join('.');
        throw new RelayError('invalid_provider', `${param}: ${merged.error.issues[0]!.message}`, { param });
      }
      await app.store.upsertProvider(merged.data);
      await republish(app, req);
      await audit(app, req, 'provider.update', before.id, { changed: Object.keys(body) });
      return toProviderView(merged.data);
    },
  );

  app.delete<Params>('/admin/providers/:id', { config, schema: { tags, params: IdParamsSchema, response: { 204: z.null(), ...errors(...AUTH_ERRORS, 404) } } }, async (req, reply) => {
    if (!(await app.store.deleteProvider(req.params.id))) throw new RelayError('provider_not_found', `No provider ${req.params.id}.`, { param: 'id' });
    await republish(app, req);
    await audit(app, req, 'provider.delete', req.params.id);
    return reply.code(204).send();
  });

  app.post<Params>('/admin/providers/:id/test', { config, schema: { tags, params: IdParamsSchema, response: { 200: TestAnswer, ...errors(...AUTH_ERRORS, 404) } } }, async (req) => {
    const result = await testProvider(await load(req.params.id));
    await audit(app, req, 'provider.test', req.params.id, { ok: result.ok, status: result.status });
    return result;
  });
}
