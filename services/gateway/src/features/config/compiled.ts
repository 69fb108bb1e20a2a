import { normalizeBaseUrl, type Budget, type BudgetScope, type GatewayKey, type GatewayProject, type GatewaySnapshot, type Provider, type RelayKeyRef, type Settings } from '@llm-relay/contracts';

/** A provider ready for the hot path: parsed URL parts, precomputed match functions. */
export interface CompiledProvider {
  id: string;
  name: string;
  type: Provider['type'];
  /** `http://host:port`, the pool's key */
  origin: string;
  /** path of the normalised base URL, e.g. `/v1` or `/compatible-mode/v1` */
  basePath: string;
  apiKeys: string[];
  headers: Record<string, string>;
  priority: number;
  injectStreamUsage: boolean;
  /** exact names and aliases: model -> upstream model */
  exact: Map<string, string>;
  patterns: { re: RegExp; upstreamModel: string | undefined }[];
  /** serves any model (no model list, or a bare `*`) */
  any: boolean;
  /** the raw provider, for listing models */
  source: Provider;
}

export interface Candidate {
  provider: CompiledProvider;
  upstreamModel: string;
}

export interface CompiledConfig {
  version: number;
  settings: Settings;
  providers: CompiledProvider[];
  providersById: Map<string, CompiledProvider>;
  keysByHash: Map<string, CompiledKey>;
  /** model -> candidates in priority order; filled lazily, bounded */
  routeCache: Map<string, Candidate[]>;
}

export interface CompiledKey {
  record: GatewayKey;
  ref: RelayKeyRef;
  allowAll: boolean;
  allowExact: Set<string>;
  allowPatterns: RegExp[];
  hasLimits: boolean;
  /** the key's own budget, then its project's: each checked on admission (empty: no budget work at all) */
  budgets: CompiledBudget[];
}

/** One spend limit a request is checked against. */
export interface CompiledBudget {
  scope: BudgetScope;
  /** key id or project id: names the spend counter */
  id: string;
  /** how the 429 names it: `relay key "ci"` or `project "Team A"` */
  label: string;
  budget: Budget;
}

export function wildcardToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

function compileProvider(p: Provider): CompiledProvider {
  const base = new URL(normalizeBaseUrl(p.baseUrl));
  const exact = new Map<string, string>();
  const patterns: CompiledProvider['patterns'] = [];
  let any = p.models.length === 0;
  for (const m of p.models) {
    if (m.match === '*' && !m.upstreamModel) any = true;
    else if (m.match.includes('*')) patterns.push({ re: wildcardToRegExp(m.match), upstreamModel: m.upstreamModel });
    else exact.set(m.match, m.upstreamModel ?? m.match);
  }
  return {
    id: p.id,
    name: p.name,
    type: p.type,
    origin: base.origin,
    basePath: base.pathname.replace(/\/+$/, ''),
    apiKeys: p.apiKeys,
    headers: p.headers,
    priority: p.priority,
    injectStreamUsage: p.injectStreamUsage,
    exact,
    patterns,
    any,
    source: p,
  };
}

function compileKey(k: GatewayKey, projects: Map<string, GatewayProject>): CompiledKey {
  const allowExact = new Set<string>();
  const allowPatterns: RegExp[] = [];
  for (const m of k.allowedModels) {
    if (m.includes('*')) allowPatterns.push(wildcardToRegExp(m));
    else allowExact.add(m);
  }
  return {
    record: k,
    ref: { id: k.id, prefix: k.prefix, name: k.name, ...(k.projectId === undefined ? {} : { projectId: k.projectId }) },
    allowAll: k.allowedModels.length === 0,
    allowExact,
    allowPatterns,
    hasLimits: Boolean(k.limits.rpm || k.limits.tpm || k.limits.concurrency),
    budgets: keyBudgets(k, projects),
  };
}

function keyBudgets(k: GatewayKey, projects: Map<string, GatewayProject>): CompiledBudget[] {
  const out: CompiledBudget[] = [];
  if (k.budget) out.push({ scope: 'key', id: k.id, label: `relay key "${k.name}"`, budget: k.budget });
  const p = k.projectId === undefined ? undefined : projects.get(k.projectId);
  if (p?.budget) out.push({ scope: 'project', id: p.id, label: `project "${p.name ?? p.id}"`, budget: p.budget });
  return out;
}

/** Validation happened once on load; this turns the snapshot into lookup tables for the hot path. */
export function compileSnapshot(s: GatewaySnapshot): CompiledConfig {
  const providers = s.providers
    .filter((p) => p.enabled)
    .map(compileProvider)
    .sort((a, b) => a.priority - b.priority);
  const projects = new Map(s.projects.map((p) => [p.id, p]));
  return {
    version: s.version,
    settings: s.settings,
    providers,
    providersById: new Map(providers.map((p) => [p.id, p])),
    keysByHash: new Map(s.keys.map((k) => [k.hash, compileKey(k, projects)])),
    routeCache: new Map(),
  };
}

export function modelAllowed(key: CompiledKey, model: string): boolean {
  if (key.allowAll || key.allowExact.has(model)) return true;
  for (const re of key.allowPatterns) if (re.test(model)) return true;
  return false;
}

const ROUTE_CACHE_MAX = 1000;

/** Providers able to serve `model` for this provider type, in priority order, with the upstream name. */
export function candidatesFor(cfg: CompiledConfig, model: string, type: Provider['type']): Candidate[] {
  const cacheKey = `${type}\0${model}`;
  const hit = cfg.routeCache.get(cacheKey);
  if (hit) return hit;
  const out: Candidate[] = [];
  for (const p of cfg.providers) {
    if (p.type !== type) continue;
    const exact = p.exact.get(model);
    if (exact !== undefined) {
      out.push({ provider: p, upstreamModel: exact });
      continue;
    }
    const pat = p.patterns.find((x) => x.re.test(model));
    if (pat) out.push({ provider: p, upstreamModel: pat.upstreamModel ?? model });
    else if (p.any) out.push({ provider: p, upstreamModel: model });
  }
  if (cfg.routeCache.size >= ROUTE_CACHE_MAX) cfg.routeCache.clear();
  cfg.routeCache.set(cacheKey, out);
  return out;
}
