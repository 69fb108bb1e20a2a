import type { ErrorCode } from '@llm-relay/contracts';
import { ApiError, api, errorMessage } from './api.ts';
import { t } from './i18n.svelte.ts';
import type { SystemInfo } from './types.ts';

let cached: Promise<SystemInfo> | null = null;

/** GET /admin/system, shared by pages that only need the relay's base URL (cached for the session). */
export function systemInfo(refresh = false): Promise<SystemInfo> {
  if (!cached || refresh) {
    cached = api.get<SystemInfo>('/system');
    cached.catch(() => (cached = null));
  }
  return cached;
}

/** Why the system status could not be read, in the UI's language for the outages it reports. */
export function systemError(err: unknown): string {
  if (err instanceof ApiError) {
    const code = err.code as ErrorCode | null;
    if (code === 'redis_unavailable') return t('dash.reason.redis');
    if (code === 'store_unavailable') return t('dash.reason.store');
    if (err.status === 0 || err.status === 502 || err.status === 504) return t('dash.reason.admin');
  }
  return errorMessage(err);
}
