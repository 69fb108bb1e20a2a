import type { LiveFilter, LiveLogSummary } from '@llm-relay/contracts';

/** The same meaning as the log list's filters (errorsOnly: an HTTP error or any outcome but ok). */
export function matchesLive(f: LiveFilter, log: LiveLogSummary): boolean {
  if (f.model && log.model !== f.model && log.upstreamModel !== f.model) return false;
  if (f.provider && log.provider !== f.provider) return false;
  if (f.keyId && log.key?.id !== f.keyId) return false;
  if (f.projectId && log.key?.projectId !== f.projectId) return false;
  if (f.route && log.route !== f.route) return false;
  if (f.errorsOnly && !(log.status >= 400 || log.outcome !== 'ok')) return false;
  const a = log.attribution;
  if (f.user && a?.user !== f.user) return false;
  if (f.session && a?.session !== f.session) return false;
  if (f.tag && !a?.tags.includes(f.tag)) return false;
  if (f.prompt && log.prompt?.familyId !== f.prompt) return false;
  if (f.promptVersion && log.prompt?.versionId !== f.promptVersion) return false;
  for (const name in f.properties ?? {}) if (a?.properties[name] !== f.properties![name]) return false;
  if (f.q) {
    const hay = `${log.requestPreview}\n${log.responsePreview}\n${log.model ?? ''}\n${log.path}\n${log.error ?? ''}`.toLowerCase();
    if (!hay.includes(f.q.toLowerCase())) return false;
  }
  return true;
}

/** Redis stream ids (`ms-seq`) in order. */
export function compareStreamIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm) || BigInt(as) - BigInt(bs);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export const STREAM_ID = /^\d{1,20}(-\d{1,20})?$/;
