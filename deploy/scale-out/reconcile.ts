import type { AdminClient } from './admin-client.ts';

export interface Reconciliation {
  answered: number;
  stored: number;
  lost: number;
  duplicated: number;
  /** stored logs of the key that no client saw an answer for */
  unexpected: number;
  /** answers stored without the relay key (e.g. refused before authentication), found by id */
  storedWithoutKey: { id: string; status: number }[];
  /** ms from the end of the load until the store held every log */
  drainMs: number;
  pass: boolean;
}

/**
 * Every answer the relay gave carries its exchange id (x-request-id): wait until the store holds them,
 * then compare the two sets. Waiting ends when the store has them all, when the queue has stayed empty
 * (a SIGKILLed processor's jobs count as active until its lock expires), or at the deadline.
 */
export async function reconcile(admin: AdminClient, keyId: string, answeredIds: string[], timeoutMs: number): Promise<Reconciliation> {
  const t0 = Date.now();
  const want = new Set(answeredIds);
  let ids: string[];
  let lastCount = -1;
  let lastChange = Date.now();
  let idlePolls = 0;
  for (;;) {
    ids = await admin.logIdsOfKey(keyId);
    if (ids.length !== lastCount) {
      lastCount = ids.length;
      lastChange = Date.now();
    }
    const have = new Set(ids);
    if (have.size >= want.size && [...want].every((id) => have.has(id))) break;
    if (Date.now() - t0 > timeoutMs || Date.now() - lastChange > 60_000) break;
    // some answers are not under the key (see storedWithoutKey): stop once the queue is empty and stays so
    const { queue } = await admin.system();
    idlePolls = queue.waiting + queue.active + queue.delayed === 0 && Date.now() - lastChange > 2000 ? idlePolls + 1 : 0;
    if (idlePolls >= 2) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const drainMs = Date.now() - t0;
  const stored = new Set(ids);
  // an answer the relay gave before it knew the key is logged without it: look those up one by one
  const storedWithoutKey: { id: string; status: number }[] = [];
  let lost = 0;
  for (const id of [...want].filter((i) => !stored.has(i)).slice(0, 200)) {
    const log = await admin.log(id);
    if (log) storedWithoutKey.push({ id, status: log.status });
    else lost++;
  }
  lost += Math.max(0, [...want].filter((i) => !stored.has(i)).length - 200);
  const unexpected = [...stored].filter((id) => !want.has(id)).length;
  const duplicated = ids.length - stored.size + (answeredIds.length - want.size);
  return {
    answered: answeredIds.length,
    stored: ids.length + storedWithoutKey.length,
    lost,
    duplicated,
    unexpected,
    storedWithoutKey,
    drainMs,
    pass: lost === 0 && duplicated === 0 && unexpected === 0,
  };
}
