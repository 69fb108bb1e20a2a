import { isUnpricedCall, type LogFilter, type LogListItem, type StoredLog } from '@llm-relay/contracts';
import { pagedLogs } from '../log-pages.ts';
import type { Store, StoreInfo } from '../port.ts';
import { DEFAULT_BATCH, previewText, yieldToLoop } from '../shared.ts';
import { DUPLICATE_KEY, type LogDoc, type Models } from './models.ts';
import { FULL_PROJECTION, LIST_PROJECTION, docToListItem, docToLog, mongoFilter, toDoc } from './docs.ts';

type LogMethods = Pick<Store, 'insertLogs' | 'getLog' | 'listLogs' | 'iterateLogs' | 'countLogs' | 'applyRetention' | 'updateCosts'>;

interface BulkError {
  code?: number;
  writeErrors?: { index: number; code: number }[] | { index: number; code: number };
}

/** What a retention pass needs besides deleting: keeping a TTL index in step with the window. */
export interface RetentionHooks {
  syncTtl(metaBefore: number): Promise<void>;
}

/** the first copy of each id: the copy insertMany would keep */
export function uniqueById(logs: StoredLog[]): StoredLog[] {
  const seen = new Set<string>();
  return logs.filter((l) => !seen.has(l.id) && seen.add(l.id));
}

/**
 * Insert documents with the driver's insertMany, not mongoose's: unordered, and a duplicate key error names
 * the index of each skipped document, which is what idempotent redelivery needs. Returns the inserted ids.
 */
export async function insertDocs(coll: Models['logs']['collection'], docs: LogDoc[]): Promise<Set<string>> {
  if (docs.length === 0) return new Set();
  try {
    await coll.insertMany(docs as never[], { ordered: false });
    return new Set(docs.map((d) => d._id));
  } catch (err) {
    const e = err as BulkError;
    const writeErrors = e.writeErrors === undefined ? [] : Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
    if (writeErrors.length === 0 || writeErrors.some((w) => w.code !== DUPLICATE_KEY)) throw err;
    const skipped = new Set(writeErrors.map((w) => w.index));
    return new Set(docs.filter((_, i) => !skipped.has(i)).map((d) => d._id));
  }
}

export function mongoLogs(m: Models, info: StoreInfo, hooks: RetentionHooks): LogMethods {
  const coll = m.logs.collection;

  async function page(filter: LogFilter, limit: number, cursor: string | null | undefined, full: boolean): Promise<LogDoc[]> {
    const q = mongoFilter(filter, info.features);
    if (cursor) q._id = { $lt: cursor };
    const projection = full ? FULL_PROJECTION : LIST_PROJECTION;
    return (await coll.find(q, { projection }).sort({ _id: -1 }).limit(limit).toArray()) as unknown as LogDoc[];
  }

  /**
   * Matching documents newest first, in batches, with bounded memory. MongoDB: keyset pages on _id,
   * each an index range scan, and no server cursor to time out under a slow consumer. FerretDB v1
   * sorts a whole collection for every query, so there one sorted cursor is read batch by batch.
   */
  async function* batches(filter: LogFilter, size: number, full: boolean): AsyncGenerator<LogDoc[]> {
    if (info.features.server?.startsWith('ferretdb')) {
      const q = mongoFilter(filter, info.features);
      const cur = coll.find(q, { projection: full ? FULL_PROJECTION : LIST_PROJECTION }).sort({ _id: -1 }).batchSize(size);
      let buf: LogDoc[] = [];
      try {
        for await (const d of cur) {
          buf.push(d as unknown as LogDoc);
          if (buf.length >= size) {
            yield buf;
            buf = [];
          }
        }
        if (buf.length > 0) yield buf;
      } finally {
        await cur.close();
      }
      return;
    }
    let cursor: string | null = null;
    for (;;) {
      const docs = await page(filter, size, cursor, full);
      if (docs.length > 0) yield docs;
      if (docs.length < size) return;
      cursor = docs[docs.length - 1]!._id;
    }
  }

  return {
    async insertLogs(logs) {
      const batch = uniqueById(logs);
      const inserted = await insertDocs(coll, batch.map(toDoc));
      return batch.filter((l) => inserted.has(l.id)).map((l) => l.id);
    },

    async getLog(id) {
      const d = (await coll.findOne({ _id: id as never }, { projection: FULL_PROJECTION })) as unknown as LogDoc | null;
      return d ? docToLog(d) : null;
    },

    ...pagedLogs<LogDoc>({ page, batches, toListItem: docToListItem, toLog: docToLog }),

    async countLogs(filter) {
      return coll.countDocuments(mongoFilter(filter, info.features));
    },

    async applyRetention({ bodiesBefore, metaBefore, batchSize = DEFAULT_BATCH }) {
      await hooks.syncTtl(metaBefore);
      let logsDeleted = 0;
      for (;;) {
        const ids = (await coll.find({ createdAt: { $lt: metaBefore } }, { projection: { _id: 1 } }).limit(batchSize).toArray()).map((d) => d._id);
        if (ids.length === 0) break;
        logsDeleted += (await coll.deleteMany({ _id: { $in: ids } })).deletedCount;
        await yieldToLoop();
      }
      let bodiesCleared = 0;
      for (;;) {
        const docs = await coll
          .find({ bodiesExpired: false, createdAt: { $lt: bodiesBefore } }, { projection: { _id: 1, requestPreview: 1, responsePreview: 1 } })
          .limit(batchSize)
          .toArray();
        if (docs.length === 0) break;
        // the prompt text goes with the bodies; search keeps working on the previews that remain
        const ops = docs.map((d) => ({
          updateOne: {
            filter: { _id: d._id, bodiesExpired: false },
            update: {
              $set: {
                requestBody: null,
                responseBody: null,
                rawStream: null,
                bodiesExpired: true,
                searchText: previewText(d as unknown as Pick<LogListItem, 'requestPreview' | 'responsePreview'>),
              },
            },
          },
        }));
        bodiesCleared += (await coll.bulkWrite(ops as never[], { ordered: false })).modifiedCount;
        await yieldToLoop();
      }
      return { bodiesCleared, logsDeleted };
    },

    async updateCosts(filter, compute) {
      let updated = 0;
      for await (const docs of batches(filter, DEFAULT_BATCH, true)) {
        const ops = docs.map((d) => {
          const cost = compute(docToLog(d));
          // a new price may price a call that had none, or the reverse: unpricedAt follows (docs.ts)
          const unpriced = isUnpricedCall({ cost, usage: d.usage });
          return { updateOne: { filter: { _id: d._id }, update: unpriced ? { $set: { cost, unpricedAt: d.createdAt } } : { $set: { cost }, $unset: { unpricedAt: '' } } } };
        });
        await coll.bulkWrite(ops as never[], { ordered: false });
        updated += docs.length;
      }
      return updated;
    },
  };
}
