import type { Score } from '@llm-relay/contracts';
import type { ScoreResult, ScoreRollup, Store } from '../port.ts';
import { scoreRollupsFor } from '../attribution.ts';
import type { Db } from './db.ts';
import { LIST_COLUMNS, rowToListItem, type Row } from './rows.ts';

type ScoreMethods = Pick<
  Store,
  'setScore' | 'deleteScore' | 'addPendingScore' | 'pendingScoresFor' | 'deletePendingScore' | 'expirePendingScores' | 'queryScoreRollups'
>;

const SCORE_ROLLUP_UPSERT = `INSERT INTO score_rollups (dim, value, minute, name, sum, count) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (dim, name, minute, value) DO UPDATE SET sum = sum + excluded.sum, count = count + excluded.count`;

function sameScore(a: Score, b: Score): boolean {
  return a.at === b.at && a.value === b.value && a.comment === b.comment && a.by === b.by;
}

/**
 * Scores live on the log row (JSON, read with the list columns); the score roll-ups move in the same
 * transaction, so they always equal the sum of the scores stored.
 */
export function sqliteScores(db: Db): ScoreMethods {
  function applyScoreRollups(rows: ScoreRollup[]): void {
    const up = db.stmt(SCORE_ROLLUP_UPSERT);
    for (const r of rows) up.run(r.dim, r.value, r.minute, r.name, r.sum, r.count);
  }

  function readLog(id: string): Row | undefined {
    return db.stmt(`SELECT ${LIST_COLUMNS} FROM logs l WHERE l.id = ?`).get(id) as Row | undefined;
  }

  return {
    async setScore(logId, name, score, opts) {
      return db.tx((): ScoreResult => {
        const row = readLog(logId);
        if (!row) return 'not_found';
        if (opts?.keyId !== undefined && row.key_id !== opts.keyId) return 'wrong_key';
        const log = rowToListItem(row);
        const scores = log.scores ?? {};
        const old = scores[name];
        if (old && old.at > score.at) return 'stale';
        if (old && sameScore(old, score)) return 'unchanged';
        scores[name] = score;
        db.stmt('UPDATE logs SET scores = ? WHERE seq = ?').run(JSON.stringify(scores), row.seq as number);
        applyScoreRollups(scoreRollupsFor(log, name, score.value - (old?.value ?? 0), old ? 0 : 1));
        return 'applied';
      });
    },

    async deleteScore(logId, name) {
      return db.tx(() => {
        const row = readLog(logId);
        if (!row) return false;
        const log = rowToListItem(row);
        const scores = log.scores ?? {};
        const old = scores[name];
        if (!old) return false;
        delete scores[name];
        db.stmt('UPDATE logs SET scores = ? WHERE seq = ?').run(JSON.stringify(scores), row.seq as number);
        applyScoreRollups(scoreRollupsFor(log, name, -old.value, -1));
        return true;
      });
    },

    async addPendingScore(p) {
      // the later score (by `at`) of a (log, name) is the one kept, as on the log itself
      db.stmt(
        `INSERT INTO pending_scores (log_id, name, key_id, score, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (log_id, name) DO UPDATE SET key_id = excluded.key_id, score = excluded.score, at = excluded.at WHERE excluded.at >= pending_scores.at`,
      ).run(p.logId, p.name, p.keyId, JSON.stringify(p.score), p.score.at);
    },

    async pendingScoresFor(logIds) {
      if (logIds.length === 0) return [];
      const rows = db.raw.prepare(`SELECT * FROM pending_scores WHERE log_id IN (${logIds.map(() => '?').join(',')})`).all(...logIds) as Row[];
      return rows.map((r) => ({ logId: r.log_id as string, name: r.name as string, keyId: r.key_id as string, score: JSON.parse(r.score as string) as Score }));
    },

    async deletePendingScore(p) {
      db.stmt('DELETE FROM pending_scores WHERE log_id = ? AND name = ? AND at = ?').run(p.logId, p.name, p.score.at);
    },

    async expirePendingScores(before) {
      return Number(db.stmt('DELETE FROM pending_scores WHERE at < ?').run(before).changes);
    },

    async queryScoreRollups({ from, to, dim, name }) {
      const rows = db.stmt('SELECT * FROM score_rollups WHERE dim = ? AND name = ? AND minute >= ? AND minute < ? ORDER BY minute, value').all(dim, name, from, to) as Row[];
      return rows.map((r) => ({ dim, name, value: r.value as string, minute: r.minute as number, sum: r.sum as number, count: r.count as number }));
    },
  };
}
