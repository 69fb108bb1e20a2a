/** Admin API answers come from contracts (admin-api.ts), which admin declares its routes with. */
export type {
  KeyView,
  KeyWithSecret,
  LoginAnswer,
  Me,
  ProviderView,
  ReplayAnswer,
  Role,
  Stats,
  StatsBreakdown,
  StatsPoint,
  SystemInfo,
} from '@llm-relay/contracts';
import type { ProviderTestAnswer } from '@llm-relay/contracts';

/** A provider test as shown: the server's answer, or a failure to reach admin at all (no latency then). */
export type ProviderTestResult = Omit<ProviderTestAnswer, 'latencyMs'> & { latencyMs: number | null };

/** What the key form sends: the body of POST /admin/api-keys and PATCH /admin/api-keys/:id. */
export interface KeyDraft {
  name: string;
  expiresAt: number | null;
  allowedModels: string[];
  limits: { rpm?: number; tpm?: number; concurrency?: number };
  defaultProvider?: string;
}
