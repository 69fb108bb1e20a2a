import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CompiledConfig, CompiledKey, CompiledProvider } from '../features/config/compiled.ts';
import { modelAllowed } from '../features/config/compiled.ts';
import { upstreamHeaders } from '../features/upstream/headers.ts';
import type { GatewayContext } from '../features/proxy/context.ts';

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const UPSTREAM_LIST_TTL_MS = 60_000;

/**
 * GET /v1/models: the models the caller's key may use. Named models and aliases come from the config;
 * a provider that serves patterns (or everything) is asked for its own list, cached for a minute.
 */
export function modelsRoute(ctx: GatewayContext) {
  const cache = new Map<string, { at: number; ids: string[] }>();

  async function upstreamList(p: CompiledProvider, request: FastifyRequest): Promise<string[]> {
    const hit = cache.get(p.id);
    if (hit && Date.now() - hit.at < UPSTREAM_LIST_TTL_MS) return hit.ids;
    try {
      const res = await ctx.upstreams.pool(p).request({
        method: 'GET',
        path: `${p.basePath}/models`,
        headers: upstreamHeaders({ accept: 'application/json', 'user-agent': request.headers['user-agent'] }, p, ctx.upstreams.pickKey(p), undefined),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        return hit?.ids ?? [];
      }
      const json = (await res.body.json()) as { data?: { id?: unknown }[] };
      const ids = (json.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
      cache.set(p.id, { at: Date.now(), ids });
      return ids;
    } catch {
      return hit?.ids ?? [];
    }
  }

  async function list(cfg: CompiledConfig, key: CompiledKey, request: FastifyRequest): Promise<ModelEntry[]> {
    const out = new Map<string, ModelEntry>();
    const created = Math.floor(Date.now() / 1000);
    const add = (id: string, p: CompiledProvider) => {
      if (!out.has(id) && modelAllowed(key, id)) out.set(id, { id, object: 'model', created, owned_by: p.name });
    };
    for (const p of cfg.providers) {
      for (const id of p.exact.keys()) add(id, p);
      if (p.any || p.patterns.length) {
        for (const id of await upstreamList(p, request)) {
          if (p.any || p.patterns.some((x) => x.re.test(id))) add(id, p);
        }
      }
    }
    return [...out.values()];
  }

  return async function plugin(app: FastifyInstance): Promise<void> {
    app.get('/v1/models', { config: { route: 'models' } }, async (request, reply) => {
      const st = request.relay!;
      const data = await list(ctx.snapshots.current!, st.key!, request);
      const body = JSON.stringify({ object: 'list', data });
      st.ex.status = 200;
      st.ex.responseBody = { text: body, contentType: 'application/json', bytes: Buffer.byteLength(body), truncated: false };
      return reply.type('application/json').send(body);
    });
  };
}
