/** Admin API answers come from contracts (admin-api.ts), which admin declares its routes with. */
export type {
  KeyView,
  KeyWithSecret,
  LoginAnswer,
  Me,
  ProviderView,
  ReplayAnswer,
  Stats,
  StatsPoint,
  SystemInfo,
} from '@llm-relay/contracts';
import type { KeyCreateBody, ProviderTestAnswer } from '@llm-relay/contracts';

/** A provider test as shown: the server's answer, or a failure to reach admin at all (no latency then). */
export type ProviderTestResult = Omit<ProviderTestAnswer, 'latencyMs'> & { latencyMs: number | null };

/** What the key form produces; Keys.svelte sends it as a KeyCreateBody or a KeyPatchBody (contracts). */
export type KeyDraft = Required<Pick<KeyCreateBody, 'name' | 'allowedModels' | 'limits' | 'projectId' | 'budget'>> & Pick<KeyCreateBody, 'defaultProvider'> & { expiresAt: number | null };
