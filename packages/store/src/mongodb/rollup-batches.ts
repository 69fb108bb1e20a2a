import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import { uuidv7, type StoredLog } from '@llm-relay/contracts';
import type { Rollup, RollupsFor, Store, StoreInfo } from '../port.ts';
import { DUPLICATE_KEY, type LogDoc, type Models, type RollupBatchDoc } from './models.ts';
import { docToLog, FULL_PROJECTION, toDoc } from './docs.ts';
import { insertDocs, uniqueById } from './logs.ts';
import { rollupId, rollupUpdate } from './rollups.ts';
import { sessionUpdate } from './sessions.ts';
import { sessionDeltas, type SessionDelta } from '../attribution.ts';

type BatchMethods = Pick<Store, 'insertLogsWithRollups' | 'recoverRollups'>;

/** a live writer finishes a batch in seconds; recovery leaves younger journal entries to it */
export const DEFAULT_RECOVERY_GRACE_MS = 5 * 60_000;

/** Test-only: called after a batch's logs are stored and before their roll-ups are (the crash window). */
export type AfterLogsInserted = () => void | Promise<void>;

/**
 * Logs plus their roll-ups, exactly once per stored log.
 *
 * `transaction` (replica set, mongos): one multi-document transaction; the insert and the increments
 * commit together. `journal` (no transactions: FerretDB v1, a standalone server): a batch document
 * records the attempt before the logs are inserted (each tagged with the batch id), then the increments it
 * will apply; each roll-up row lists the batches it already counts and an increment is guarded by
 * `batches: {$ne: id}`, so re-applying after a crash adds nothing twice. Once every row is done the batch
 * id is pulled from the rows and the journal entry deleted. `recoverRollups` resumes entries a crashed
 * writer left, from the step they record.
 */
export function mongoRollupBatches(conn: Connection, m: Models, info: StoreInfo, afterLogsInserted?: AfterLogsInserted): BatchMethods {
  const logs = m.logs.collection;
  const rollups = m.rollups.collection;
  const journal = m.rollupBatches.collection;
  const sessions = m.sessions.collection;

  async function inTransaction(batch: StoredLog[], rollupsFor: RollupsFor): Promise<string[]> {
    const session = conn.getClient().startSession();
    try {
      let ids: string[] = [];
      // withTransaction retries the whole callback on a transient error (a write conflict with a concurrent batch)
      await session.withTransaction(async () => {
        const existing = await logs.find({ _id: { $in: batch.map((l) => l.id) } } as never, { projection: { _id: 1 }, session }).toArray();
        const have = new Set(existing.map((d) => d._id as unknown as string));
        const fresh = batch.filter((l) => !have.has(l.id));
        if (fresh.length > 0) {
          // a duplicate key would abort the transaction, hence the read first; a racing insert is a write conflict
          await logs.insertMany(fresh.map(toDoc) as never[], { session });
          await afterLogsInserted?.();
          const ops = rollupsFor(fresh).map((r) => ({ updateOne: { filter: { _id: rollupId(r) }, update: rollupUpdate(r), upsert: true } }));
          if (ops.length > 0) await rollups.bulkWrite(ops as never[], { ordered: true, session });
          const sessionOps = sessionDeltas(fresh).map((d) => ({ updateOne: { filter: { _id: d.id }, update: sessionUpdate(d), upsert: true } }));
          if (sessionOps.length > 0) await sessions.bulkWrite(sessionOps as never[], { ordered: true, session });
        }
        ids = fresh.map((l) => l.id);
      });
      return ids;
    } finally {
      await session.endSession();
    }
  }

  /** increments each row (and session) once for this batch, however often it is called */
  async function applyOnce(batchId: string, rows: Rollup[], deltas: SessionDelta[]): Promise<void> {
    const ops = rows.map((r) => {
      const { $inc, $setOnInsert } = rollupUpdate(r);
      return { filter: { _id: rollupId(r), batches: { $ne: batchId } }, update: { $inc, $setOnInsert, $push: { batches: batchId } } };
    });
    await guardedWrites(rollups, ops);
    const sessionOps = deltas.map((d) => ({ filter: { _id: d.id, batches: { $ne: batchId } }, update: { ...sessionUpdate(d), $push: { batches: batchId } } }));
    await guardedWrites(sessions, sessionOps);
  }

  async function guardedWrites(coll: typeof rollups | typeof sessions, ops: { filter: Record<string, unknown>; update: Record<string, unknown> }[]): Promise<void> {
    let done = 0;
    while (done < ops.length) {
      try {
        await coll.bulkWrite(ops.slice(done).map((o) => ({ updateOne: { ...o, upsert: true } })) as never[], { ordered: true });
        return;
      } catch (err) {
        const e = err as { code?: number; writeErrors?: { index: number }[] | { index: number } };
        const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
        if (e.code !== DUPLICATE_KEY || !first) throw err;
        // the row exists: it already counts this batch (a resumed batch), or another writer created it just
        // now; without upsert the guarded update applies only in the second case
        const failed = ops[done + first.index]!;
        await coll.updateOne(failed.filter as never, failed.update as never);
        done += first.index + 1;
      }
    }
  }

  /**
   * Every step after the insert is fenced by the entry's `owner`: a recovery that takes over an entry
   * replaces it, and the writer it replaced stops at its next step (its increments are guarded, so any it
   * still makes are harmless; only the owner marks the entry applied and prunes, after its own increments).
   */
  async function apply(batchId: string, owner: string, rows: Rollup[], deltas: SessionDelta[]): Promise<void> {
    await applyOnce(batchId, rows, deltas);
    const done = await journal.updateOne({ _id: batchId, owner } as never, { $set: { state: 'applied' } });
    if (done.matchedCount === 1) await prune(batchId, rows, deltas);
  }

  async function prune(batchId: string, rows: Rollup[], deltas: SessionDelta[]): Promise<void> {
    if (rows.length > 0) {
      const ops = rows.map((r) => ({ updateOne: { filter: { _id: rollupId(r) }, update: { $pull: { batches: batchId } } } }));
      await rollups.bulkWrite(ops as never[], { ordered: false });
    }
    if (deltas.length > 0) {
      const ops = deltas.map((d) => ({ updateOne: { filter: { _id: d.id }, update: { $pull: { batches: batchId } } } }));
      await sessions.bulkWrite(ops as never[], { ordered: false });
    }
    await journal.deleteOne({ _id: batchId } as never);
  }

  async function computeAndApply(batchId: string, owner: string, inserted: StoredLog[], rollupsFor: RollupsFor): Promise<void> {
    const rows = inserted.length > 0 ? rollupsFor(inserted) : [];
    const deltas = sessionDeltas(inserted);
    const mine = await journal.updateOne({ _id: batchId, owner } as never, { $set: { state: 'applying', rows, sessions: deltas } });
    if (mine.matchedCount === 1) await apply(batchId, owner, rows, deltas);
  }

  async function journaled(batch: StoredLog[], rollupsFor: RollupsFor): Promise<string[]> {
    const batchId = uuidv7();
    const owner = randomUUID();
    const entry: RollupBatchDoc = { _id: batchId, at: Date.now(), owner, state: 'inserting', ids: batch.map((l) => l.id) };
    await journal.insertOne(entry as never);
    const inserted = await insertDocs(logs, batch.map((l) => ({ ...toDoc(l), rollupBatch: batchId })));
    const fresh = batch.filter((l) => inserted.has(l.id));
    await afterLogsInserted?.();
    // taken over by a recovery (this writer stalled past the grace period): the logs are stored, it finishes them
    await computeAndApply(batchId, owner, fresh, rollupsFor);
    return fresh.map((l) => l.id);
  }

  return {
    async insertLogsWithRollups(input, rollupsFor) {
      const batch = uniqueById(input);
      if (batch.length === 0) return [];
      return info.features.atomicRollups === 'transaction' ? inTransaction(batch, rollupsFor) : journaled(batch, rollupsFor);
    },

    async recoverRollups(rollupsFor, opts) {
      const before = Date.now() - (opts?.olderThanMs ?? DEFAULT_RECOVERY_GRACE_MS);
      const stale = (await journal.find({ at: { $lt: before } } as never).sort({ at: 1 }).toArray()) as unknown as RollupBatchDoc[];
      let recovered = 0;
      for (const b of stale) {
        // claim it: a new owner and a young time, so neither its stalled writer nor another replica's recovery
        // can run a step after this one's
        const owner = randomUUID();
        const claim = await journal.updateOne({ _id: b._id, owner: b.owner } as never, { $set: { at: Date.now(), owner } });
        if (claim.modifiedCount !== 1) continue;
        recovered++;
        if (b.state === 'inserting') {
          // its own logs are the ones tagged with it: an id that existed before the batch carries another tag
          const docs = (await logs.find({ _id: { $in: b.ids } } as never, { projection: FULL_PROJECTION }).toArray()) as unknown as LogDoc[];
          const own = docs.filter((d) => d.rollupBatch === b._id).sort((x, y) => b.ids.indexOf(x._id) - b.ids.indexOf(y._id));
          await computeAndApply(b._id, owner, own.map(docToLog), rollupsFor);
        } else if (b.state === 'applying') {
          await apply(b._id, owner, b.rows ?? [], b.sessions ?? []);
        } else {
          await prune(b._id, b.rows ?? [], b.sessions ?? []);
        }
      }
      return recovered;
    },
  };
}
