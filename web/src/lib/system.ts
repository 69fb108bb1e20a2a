import { api } from './api.ts';
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
