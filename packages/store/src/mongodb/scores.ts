import type { Score } from '@llm-relay/contracts';
import type { ScoreResult, ScoreRollup, Store } from '../port.ts';
import { scoreRollupsFor } from '../attribution.ts';
import { DUPLICATE_KEY, type LogDoc, type Models, type PendingScoreDoc, type ScoreRollupDoc } from './models.ts';
import { LIST_PROJECTION, docToListItem } from './docs.ts';
import { incrementAll } from './bulk.ts';
import { oneAtATimePerKey } from './one-at-a-time.ts';

type ScoreMethods = Pick<
  Store,
  'setScore' | 'deleteScore' | 'addPendingScore' | 'pendingScoresFor' | 'deletePendingScore' | 'expirePendingScores' | 'queryScoreRollups'
>;

/** compare-and-set attempts before a score write gives up on a log that keeps changing under it */
const CAS_ATTEMPTS = 5;

export function scoreRollupId(r: Pick<ScoreRollup, 'dim' | 'name' | 'minute' | 'value'>): string {
  return `${r.dim}\u0000${r.name}\u0000${r.minute}\u0000${r.value}`;
}

function sameScore(a: Score, b: Score): boolean {
  return a.at === b.at && a.value === b.value && a.comment === b.comment && a.by === b.by;
}

/**
 * Scores are a field of the log document, written with a compare-and-set on the score they replace, so two
 * writers of one (log, name) cannot both count their difference. The score roll-ups follow in a second write:
 * without transactions (FerretDB v1, a standalone server) a crash between the two leaves that one difference
 * out of the averages, never the score itself. The writes to one log are also queued one at a time
 * (oneAtATimePerKey): on FerretDB v1 a concurrent update of another score of the same log would otherwise
 * write back the document it read before this one's change, and the compare-and-set cannot see that.
 * Across processes FerretDB v1 can still lose one (store README); MongoDB's per-document atomic updates cannot.
 */
export function mongoScores(m: Models): ScoreMethods {
  const logs = m.logs.collection;
  const rollups = m.scoreRollups.collection;
  const pending = m.pendingScores.collection;
  const perLog = oneAtATimePerKey();

  // the score roll-ups of many logs share rows (dim `all`, say): their `$inc`s are queued the same way
  const rollupWrites = oneAtATimePerKey();

  async function addScoreRollups(rows: ScoreRollup[]): Promise<void> {
    const ops = rows.map((r) => ({
      updateOne: {
        filter: { _id: scoreRollupId(r) },
        update: { $inc: { sum: r.sum, count: r.count }, $setOnInsert: { dim: r.dim, value: r.value, minute: r.minute, name: r.name } },
        upsert: true as const,
      },
    }));
    await rollupWrites('score-rollups', () => incrementAll(rollups as never, ops));
  }

  async function readLog(id: string): Promise<LogDoc | null> {
    return (await logs.findOne({ _id: id as never }, { projection: LIST_PROJECTION })) as unknown as LogDoc | null;
  }

  /** the log's score `name` is still `old` (absent when undefined) */
  function unchangedSince(id: string, name: string, old: Score | undefined): Record<string, unknown> {
    const path = `scores.${name}`;
    return old ? { _id: id, [`${path}.at`]: old.at, [`${path}.value`]: old.value } : { _id: id, [path]: { $exists: false } };
  }

  return {
    setScore: (logId, name, score, opts) =>
      perLog(logId, async () => {
        for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
          const d = await readLog(logId);
          if (!d) return 'not_found';
          if (opts?.keyId !== undefined && d.key?.id !== opts.keyId) return 'wrong_key';
          const log = docToListItem(d);
          const old = log.scores?.[name];
          if (old && old.at > score.at) return 'stale';
          if (old && sameScore(old, score)) return 'unchanged';
          const r = await logs.updateOne(unchangedSince(logId, name, old) as never, { $set: { [`scores.${name}`]: score } });
          if (r.matchedCount === 0) continue;
          await addScoreRollups(scoreRollupsFor(log, name, score.value - (old?.value ?? 0), old ? 0 : 1));
          return 'applied' satisfies ScoreResult;
        }
        throw new Error(`score ${name} of log ${logId} kept changing; not written`);
      }),

    deleteScore: (logId, name) =>
      perLog(logId, async () => {
        for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
          const d = await readLog(logId);
          if (!d) return false;
          const log = docToListItem(d);
          const old = log.scores?.[name];
          if (!old) return false;
          const r = await logs.updateOne(unchangedSince(logId, name, old) as never, { $unset: { [`scores.${name}`]: '' } });
          if (r.matchedCount === 0) continue;
          await addScoreRollups(scoreRollupsFor(log, name, -old.value, -1));
          return true;
        }
        throw new Error(`score ${name} of log ${logId} kept changing; not cleared`);
      }),

    async addPendingScore(p) {
      const _id = `${p.logId}\u0000${p.name}`;
      const doc: PendingScoreDoc = { _id, logId: p.logId, name: p.name, keyId: p.keyId, score: p.score, at: p.score.at };
      // keep the later one: replace only an older pending score, insert when there is none
      const r = await pending.replaceOne({ _id, at: { $lte: p.score.at } } as never, doc as never);
      if (r.matchedCount > 0) return;
      try {
        await pending.insertOne(doc as never);
      } catch (err) {
        // one exists and is newer (or a concurrent insert won): that one stays
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      }
    },

    async pendingScoresFor(logIds) {
      if (logIds.length === 0) return [];
      const docs = (await pending.find({ logId: { $in: logIds } } as never).toArray()) as unknown as PendingScoreDoc[];
      return docs.map((d) => ({ logId: d.logId, name: d.name, keyId: d.keyId, score: d.score }));
    },

    async deletePendingScore(p) {
      await pending.deleteOne({ _id: `${p.logId}\u0000${p.name}`, at: p.score.at } as never);
    },

    async expirePendingScores(before) {
      return (await pending.deleteMany({ at: { $lt: before } } as never)).deletedCount;
    },

    async queryScoreRollups({ from, to, dim, name }) {
      const docs = (await rollups.find({ dim, name, minute: { $gte: from, $lt: to } } as never).sort({ minute: 1, value: 1 }).toArray()) as unknown as ScoreRollupDoc[];
      return docs.map((d) => ({ dim, name, value: d.value, minute: d.minute, sum: d.sum, count: d.count }));
    },
  };
}
