import type { AdminClient } from './admin-client.ts';

export interface Reconciliation {
  answered: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** stored logs of the key that no client saw an answer for */
  unexpected: number;
  /** ms from the end of the load until the store held every log */
  drainMs: number;
  pass: boolean;
}

/**
 * Every answer the relay gave carries its exchange id (x-request-id): wait until the store holds them,
 * then compare the two sets. Waiting ends when the store has them all, or when the count has not moved
 * for a while after the deadline for processor recovery (a SIGKILLed processor's jobs wait for its lock).
 */
export async function reconcile(admin: AdminClient, keyId: string, answeredIds: string[], timeoutMs: number): Promise<Reconciliation> {
  const t0 = Date.now();
  const want = new Set(answeredIds);
  let ids: string[];
  let lastCount = -1;
  let lastChange = Date.now();
  for (;;) {
    ids = await admin.logIdsOfKey(keyId);
    if (ids.length !== lastCount) {
      lastCount = ids.length;
      lastChange = Date.now();
    }
    const have = new Set(ids);
    if (have.size >= want.size && [...want].every((id) => have.has(id))) break;
    if (Date.now() - t0 > timeoutMs || Date.now() - lastChange > 60_000) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const drainMs = Date.now() - t0;
  const stored = new Set(ids);
  const lost = [...want].filter((id) => !stored.has(id)).length;
  const unexpected = [...stored].filter((id) => !want.has(id)).length;
  const duplicated = ids.length - stored.size + (answeredIds.length - want.size);
  return { answered: answeredIds.length, stored: ids.length, lost, duplicated, unexpected, drainMs, pass: lost === 0 && duplicated === 0 && unexpected === 0 };
}
