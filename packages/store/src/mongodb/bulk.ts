import { DUPLICATE_KEY } from './models.ts';

interface Coll {
  bulkWrite(ops: never[], opts: { ordered: true }): Promise<unknown>;
}

/**
 * Additive upserts (`$inc`) in order. Two writers creating one new row race on its `_id`: the loser's batch
 * stops at that operation with a duplicate-key error, everything before it has landed, so it resumes there
 * (now an update) and no increment is applied twice.
 */
export async function incrementAll(coll: Coll, ops: { updateOne: { filter: Record<string, unknown>; update: Record<string, unknown>; upsert: true } }[]): Promise<void> {
  let done = 0;
  while (done < ops.length) {
    try {
      await coll.bulkWrite(ops.slice(done) as never[], { ordered: true });
      return;
    } catch (err) {
      const e = err as { code?: number; writeErrors?: { index: number }[] | { index: number } };
      const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
      if (e.code !== DUPLICATE_KEY || !first) throw err;
      done += first.index;
    }
  }
}
