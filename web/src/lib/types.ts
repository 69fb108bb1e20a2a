/** Shapes of admin API answers that the contracts package does not define (docs/admin-api.md). */
import type { KeyLimits, Provider } from '@llm-relay/contracts';

export type Role = 'admin' | 'viewer';
export interface Me {
  username: string;
  role: Role;
}
export interface LoginAnswer {
  token: string;
  expiresAt: number;
  user: Me;
}

export interface KeyView {
  id: string;
  name: string;
  prefix: string;
  status: 'active' | 'disabled';
  createdAt: number;
  expiresAt: number | null;
  allowedModels: string[];
  limits: KeyLimits;
  defaultProvider?: string;
  lastUsedAt: number | null;
  usage?: { requests: number; tokens: number; costUsd: number };
}
export interface KeyWithSecret {
  key: KeyView;
  secret: string;
}

export type ProviderView = Provider & { apiKeyCount?: number };
export interface ProviderTestResult {
  ok: boolean;
  latencyMs: number | null;
  status: number | null;
  error: string | null;
  models?: string[];
}

export interface StatsPoint {
  t: number;
  count: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}
export interface StatsBreakdown extends Omit<StatsPoint, 't'> {
  value: string;
}
export interface Stats {
  series: StatsPoint[];
  breakdown: StatsBreakdown[];
}

export interface SystemInfo {
  gateways: { id: string; startedAt: number | null; lastSeen: number | null; inflight: number; journalBytes: number; dropped: number }[];
  processors: { id: string; lastSeen: number | null; processed: number; failed: number }[];
  queue: { waiting: number; active: number; delayed: number; failed: number; completed: number };
  store: { kind: string; features?: Record<string, unknown> };
  proxyBaseUrl: string;
  version: string;
}

export interface ReplayAnswer {
  status: number;
  body: unknown;
  latencyMs: number;
}

/** What the key form sends: the body of POST /admin/api-keys and PATCH /admin/api-keys/:id. */
export interface KeyDraft {
  name: string;
  expiresAt: number | null;
  allowedModels: string[];
  limits: { rpm?: number; tpm?: number; concurrency?: number };
  defaultProvider?: string;
}
